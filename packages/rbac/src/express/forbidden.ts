import type { ServerResponse } from "node:http";
import { problemDetails } from "@gatehouse/express";
import type { Decision, DecisionReason } from "../types.js";

/** Clerk's `reverificationError()` reason (`@clerk/shared/authorization-errors`). */
const REVERIFICATION_REASON = "reverification-error";
const MAX_MISSING = 20;
const MAX_ITEM = 200;
/** An RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

const SENTENCES: Record<DecisionReason, string> = {
  allowed: "The request is not allowed.",
  signed_out: "The request is not allowed.",
  no_active_org: "An active organization is required.",
  org_mismatch: "The token's active organization is not the organization of this route.",
  missing_role: "Missing role",
  missing_permission: "Missing permission",
  missing_feature: "Missing feature",
  missing_plan: "Missing plan",
  reverification_required: "Reverification required",
  missing_scope: "Missing scope",
  predicate_failed: "Failed check",
  unknown_role: "The caller's role is not a known role.",
};

/** The 403 body: problem+json members, `reason`, `missing` and, for reverification, `clerk_error`. */
export interface ForbiddenBody {
  readonly type: string;
  readonly title: string;
  readonly status: 403;
  readonly detail: string;
  readonly code: "forbidden";
  readonly reason: DecisionReason;
  readonly missing: readonly string[];
  readonly clerk_error?: {
    readonly type: "forbidden";
    readonly reason: typeof REVERIFICATION_REASON;
    readonly metadata: {
      readonly reverification: { readonly level: string; readonly afterMinutes: number };
    };
  };
}

/** What the guard knows from its own requirement, to complete a terse decision. */
export interface ForbiddenHints {
  /** For a top-level scope requirement in `all` mode: every scope the route needs. */
  readonly scopes?: readonly string[];
  /** Every scope named anywhere in the requirement (to tell scopes from other `missing` items). */
  readonly scopeNames: ReadonlySet<string>;
  /** For a top-level reverification requirement: the level and age asked for. */
  readonly reverification?: { readonly level: string; readonly afterMinutes: number };
}

/** Decision.missing as safe, bounded strings. */
function missingOf(decision: Decision): string[] {
  const raw = Array.isArray(decision.missing) ? decision.missing : [];
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item !== "string" || item.length === 0) continue;
    out.push(item.length > MAX_ITEM ? item.slice(0, MAX_ITEM) : item);
    if (out.length === MAX_MISSING) break;
  }
  return out;
}

function reasonOf(decision: Decision): DecisionReason {
  const reason = decision.reason;
  return typeof reason === "string" && Object.hasOwn(SENTENCES, reason) && reason !== "allowed"
    ? reason
    : "predicate_failed";
}

/** Builds the 403 body and the `WWW-Authenticate` value (scope denials only). */
export function forbiddenResponse(
  decision: Decision,
  hints: ForbiddenHints,
  realm: string | undefined,
): { body: ForbiddenBody; challenge: string | undefined } {
  const reason = reasonOf(decision);
  const missing = missingOf(decision);
  let detail = SENTENCES[reason];
  if (detail.endsWith(".") === false) {
    const fresh = decision.reverification ?? hints.reverification;
    if (reason === "reverification_required" && fresh !== undefined) {
      detail += `: ${fresh.level} within ${fresh.afterMinutes} minutes.`;
    } else {
      detail += missing.length === 0 ? "." : `: ${missing.join(", ")}.`;
    }
  }
  const problem = problemDetails({ code: "forbidden", status: 403, message: detail });
  let body: ForbiddenBody = { ...problem, status: 403, code: "forbidden", reason, missing };
  let challenge: string | undefined;

  if (reason === "reverification_required") {
    const fresh = decision.reverification ?? hints.reverification;
    if (fresh !== undefined) {
      body = {
        ...body,
        clerk_error: {
          type: "forbidden",
          reason: REVERIFICATION_REASON,
          metadata: {
            reverification: { level: fresh.level, afterMinutes: fresh.afterMinutes },
          },
        },
      };
    }
  } else if (reason === "missing_scope") {
    const scopes = (hints.scopes ?? missing.filter((s) => hints.scopeNames.has(s))).filter((s) =>
      SCOPE_TOKEN.test(s),
    );
    const params = [`error="insufficient_scope"`];
    if (realm !== undefined) params.unshift(`realm="${realm}"`);
    if (scopes.length > 0) params.push(`scope="${scopes.join(" ")}"`);
    challenge = `Bearer ${params.join(", ")}`;
  }
  return { body, challenge };
}

/**
 * Writes a 403 with `statusCode`, `setHeader` and `end()` only (Express 4
 * and 5, Connect, `node:http`), with the headers `@gatehouse/express` sends
 * with every problem.
 */
export function writeForbidden(
  res: ServerResponse,
  body: ForbiddenBody,
  challenge: string | undefined,
): void {
  const text = JSON.stringify(body);
  res.statusCode = 403;
  res.removeHeader("content-encoding");
  res.removeHeader("content-language");
  res.removeHeader("content-range");
  res.setHeader("content-type", "application/problem+json");
  res.setHeader("content-length", String(Buffer.byteLength(text)));
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
  if (challenge !== undefined) res.setHeader("www-authenticate", challenge);
  res.end(text);
}
