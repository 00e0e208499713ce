// Test-only helpers (not exported from the package).
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AuthContext, clerk, createVerifier, type Verifier } from "@gatehouse/core";
import type { ClerkTokenOptions } from "@gatehouse/testing";
import { createFakeClock, generateTestKeys, mintClerkToken } from "@gatehouse/testing";
import type { Authorizer, DecideOptions, Decision, Requirement } from "../types.js";

export const keys = generateTestKeys();
export const clock = createFakeClock();

/** A real verifier trusting `keys`, on the frozen `clock`. */
export function makeVerifier(): Verifier {
  return createVerifier({ issuers: [clerk({ jwtKey: keys.publicKeyPem })], clock });
}

/** A real Clerk-shaped token (v2 unless told). */
export function token(options: Omit<ClerkTokenOptions, "clock"> = {}): Promise<string> {
  return mintClerkToken(keys, { userId: "user_42", clock, ...options });
}

const PRESETS = {
  strict_mfa: { level: "multi_factor", afterMinutes: 10 },
  strict: { level: "second_factor", afterMinutes: 10 },
  moderate: { level: "second_factor", afterMinutes: 60 },
  lax: { level: "second_factor", afterMinutes: 1440 },
} as const;

const allow = (rule: string): Decision => ({ allowed: true, reason: "allowed", rule });

/**
 * A small authorizer over `auth.has()` and the `scope` claim, standing in for
 * the real `createAuthorizer` in guard tests. It records every call.
 */
export function fakeAuthorizer(): Authorizer & {
  calls: { requirement: Requirement; options: DecideOptions | undefined }[];
} {
  const calls: { requirement: Requirement; options: DecideOptions | undefined }[] = [];
  async function decide(
    auth: AuthContext,
    requirement: Requirement,
    options?: DecideOptions,
  ): Promise<Decision> {
    if (!auth.isSignedIn) return { allowed: false, reason: "signed_out", rule: requirement.kind };
    const wanted = options?.orgId;
    const needsOrg = ["org", "orgAdmin", "role", "permission"].includes(requirement.kind);
    if (needsOrg || wanted !== undefined) {
      if (auth.orgId === null && needsOrg) {
        return { allowed: false, reason: "no_active_org", rule: requirement.kind };
      }
      if (wanted !== undefined && auth.orgId !== wanted) {
        return { allowed: false, reason: "org_mismatch", missing: [wanted], rule: "org" };
      }
    }
    switch (requirement.kind) {
      case "org":
        return allow("org");
      case "orgAdmin":
        return auth.has({ role: "org:admin" })
          ? allow("orgAdmin")
          : { allowed: false, reason: "missing_role", missing: ["org:admin"], rule: "orgAdmin" };
      case "role":
        return auth.has({ role: requirement.role })
          ? allow("role")
          : { allowed: false, reason: "missing_role", missing: [requirement.role], rule: "role" };
      case "permission": {
        const missing = requirement.permissions.filter((p) => !auth.has({ permission: p }));
        const ok =
          requirement.mode === "any"
            ? missing.length < requirement.permissions.length
            : missing.length === 0;
        return ok
          ? allow("permission")
          : { allowed: false, reason: "missing_permission", missing, rule: "permission" };
      }
      case "feature":
        return auth.has({ feature: requirement.feature })
          ? allow("feature")
          : {
              allowed: false,
              reason: "missing_feature",
              missing: [requirement.feature],
              rule: "feature",
            };
      case "plan":
        return auth.has({ plan: requirement.plan })
          ? allow("plan")
          : { allowed: false, reason: "missing_plan", missing: [requirement.plan], rule: "plan" };
      case "reverification": {
        const r = requirement.reverification;
        const resolved = typeof r === "string" ? PRESETS[r] : r;
        return auth.has({ reverification: r })
          ? allow("reverification")
          : {
              allowed: false,
              reason: "reverification_required",
              missing: [`reverification:${resolved.level}`],
              reverification: { level: resolved.level, afterMinutes: resolved.afterMinutes },
              rule: "reverification",
            };
      }
      case "scope": {
        const granted = String(auth.claims.scope ?? "").split(" ");
        const missing = requirement.scopes.filter((s) => !granted.includes(s));
        const ok =
          requirement.mode === "any"
            ? missing.length < requirement.scopes.length
            : missing.length === 0;
        return ok
          ? allow("scope")
          : { allowed: false, reason: "missing_scope", missing, rule: "scope" };
      }
      case "predicate":
        return (await requirement.test(auth))
          ? allow(requirement.name)
          : {
              allowed: false,
              reason: "predicate_failed",
              missing: [requirement.name],
              rule: requirement.name,
            };
      case "allOf": {
        for (const r of requirement.requirements) {
          const d = await decide(auth, r, options);
          if (!d.allowed) return d;
        }
        return allow("allOf");
      }
      case "anyOf": {
        const denials: Decision[] = [];
        for (const r of requirement.requirements) {
          const d = await decide(auth, r, options);
          if (d.allowed) return d;
          denials.push(d);
        }
        return {
          allowed: false,
          reason: denials[0]!.reason,
          missing: denials.flatMap((d) => d.missing ?? []),
          rule: "anyOf",
        };
      }
    }
  }
  return {
    calls,
    decide(auth, requirement, options) {
      calls.push({ requirement, options });
      return decide(auth, requirement, options);
    },
  };
}

/** A route handler that only uses node:http, so it runs under every framework. */
export function ok(_req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader("content-type", "application/json");
  res.end('{"ok":true}');
}
