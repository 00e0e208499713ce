import type { FactorVerificationAge } from "./claims.js";

/**
 * A reverification requirement: a preset, or a factor level that must have
 * been verified less than `afterMinutes` ago.
 *
 * Presets (Clerk's): `strict_mfa` = multi_factor within 10 min, `strict` =
 * second_factor within 10 min, `moderate` = second_factor within 60 min,
 * `lax` = second_factor within 24 h.
 */
export type ReverificationConfig =
  | "strict_mfa"
  | "strict"
  | "moderate"
  | "lax"
  | {
      readonly level: "first_factor" | "second_factor" | "multi_factor";
      readonly afterMinutes: number;
    };

/**
 * What {@link AuthContext.has} checks. Every dimension given must pass; an
 * empty check fails. Roles and permissions are organization-scoped and the
 * `org:` prefix is optional (`"admin"` and `"org:admin"` are the same role).
 */
export interface AuthorizationCheck {
  /** An organization role, e.g. `"org:admin"`. */
  role?: string;
  /** An organization permission, e.g. `"org:invoices:read"`. */
  permission?: string;
  /** A billing feature, optionally scoped: `"export"`, `"org:export"`, `"user:export"`. */
  feature?: string;
  /** A billing plan, optionally scoped: `"pro"`, `"org:pro"`, `"user:pro"`. */
  plan?: string;
  /** A recent-verification requirement. */
  reverification?: ReverificationConfig;
}

/** The facts about a session that authorization checks read. */
export interface AuthorizationFacts {
  readonly userId: string | null;
  readonly orgId: string | null;
  readonly orgRole: string | null;
  readonly orgPermissions: readonly string[] | null;
  readonly factorVerificationAge: FactorVerificationAge | null;
  /** Raw Clerk `fea` claim (`"o:export,u:beta"`). */
  readonly features: string | null;
  /** Raw Clerk `pla` claim (`"u:free,o:pro"`). */
  readonly plans: string | null;
}

type Outcome = "pass" | "fail" | "skip";

/** The reverification presets (Clerk's): level and maximum age in minutes. */
export const REVERIFICATION_PRESETS = {
  strict_mfa: { level: "multi_factor", afterMinutes: 10 },
  strict: { level: "second_factor", afterMinutes: 10 },
  moderate: { level: "second_factor", afterMinutes: 60 },
  lax: { level: "second_factor", afterMinutes: 1440 },
} as const;

const ORG_SCOPES = new Set(["o", "org", "organization"]);
const USER_SCOPES = new Set(["u", "user"]);

/** Adds the `org:` prefix once: `admin`, `org:admin` and `org:org:admin` all become `org:admin`. */
export function withOrgPrefix(value: string): string {
  return value.replace(/^(org:)*/, "org:");
}

/**
 * Evaluates an authorization check with Clerk's semantics: every requested
 * dimension must pass, anything missing or malformed fails, and a check that
 * asks for nothing fails.
 */
export function checkAuthorization(facts: AuthorizationFacts, check: AuthorizationCheck): boolean {
  if (!facts.userId || typeof check !== "object" || check === null) return false;
  const outcomes = [
    checkOrg(facts, check),
    checkBilling(facts, check),
    checkReverification(facts, check),
  ];
  return outcomes.includes("pass") && !outcomes.includes("fail");
}

function checkOrg(facts: AuthorizationFacts, check: AuthorizationCheck): Outcome {
  const { role, permission } = check;
  if (role === undefined && permission === undefined) return "skip";
  if (!facts.orgId) return "fail";
  if (role !== undefined) {
    if (typeof role !== "string" || !facts.orgRole) return "fail";
    if (withOrgPrefix(facts.orgRole) !== withOrgPrefix(role)) return "fail";
  }
  if (permission !== undefined) {
    if (typeof permission !== "string" || !facts.orgPermissions) return "fail";
    if (!facts.orgPermissions.includes(withOrgPrefix(permission))) return "fail";
  }
  return "pass";
}

function checkBilling(facts: AuthorizationFacts, check: AuthorizationCheck): Outcome {
  const { feature, plan } = check;
  if (feature === undefined && plan === undefined) return "skip";
  if (feature !== undefined && !hasScopedEntry(facts.features, feature)) return "fail";
  if (plan !== undefined && !hasScopedEntry(facts.plans, plan)) return "fail";
  return "pass";
}

/** Whether a scoped claim (`"o:export,u:beta"`) holds `wanted` (`"export"`, `"org:export"`, `"user:beta"`). */
function hasScopedEntry(claim: string | null, wanted: unknown): boolean {
  if (typeof wanted !== "string" || !claim) return false;
  const colon = wanted.indexOf(":");
  const scope = colon === -1 ? undefined : wanted.slice(0, colon);
  const id = colon === -1 ? wanted : wanted.slice(colon + 1);
  if (scope !== undefined && !ORG_SCOPES.has(scope) && !USER_SCOPES.has(scope)) return false;
  for (const part of claim.split(",")) {
    const entry = part.trim();
    const sep = entry.indexOf(":");
    if (sep === -1) return false; // malformed claim: fail closed
    const entryScope = entry.slice(0, sep);
    if (entry.slice(sep + 1) !== id) continue;
    const both = entryScope === "ou" || entryScope === "uo";
    const isOrg = both || entryScope === "o";
    const isUser = both || entryScope === "u";
    if (scope === undefined ? isOrg || isUser : ORG_SCOPES.has(scope) ? isOrg : isUser) return true;
  }
  return false;
}

function checkReverification(facts: AuthorizationFacts, check: AuthorizationCheck): Outcome {
  const config = check.reverification;
  if (config === undefined) return "skip";
  const resolved = typeof config === "string" ? REVERIFICATION_PRESETS[config] : config;
  if (
    typeof resolved !== "object" ||
    resolved === null ||
    !["first_factor", "second_factor", "multi_factor"].includes(resolved.level) ||
    typeof resolved.afterMinutes !== "number" ||
    !(resolved.afterMinutes > 0)
  ) {
    return "fail";
  }
  const fva = facts.factorVerificationAge;
  if (!fva) return "fail";
  const [first, second] = fva;
  if (first === -1 && second === -1) return "fail";
  const firstFresh = first !== -1 && first < resolved.afterMinutes;
  const secondFresh = second !== -1 && second < resolved.afterMinutes;
  let ok: boolean;
  switch (resolved.level) {
    case "first_factor":
      ok = firstFresh;
      break;
    case "second_factor":
      // Without a second factor enrolled, a fresh first factor is the strongest proof there is.
      ok = second === -1 ? firstFresh : secondFresh;
      break;
    case "multi_factor":
      ok = second === -1 ? firstFresh : first !== -1 && firstFresh && secondFresh;
      break;
  }
  return ok ? "pass" : "fail";
}
