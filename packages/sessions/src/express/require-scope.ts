import { parseOptions } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { getAuth, type Middleware, requireAuth } from "@gatehouse/express";
import { z } from "zod";

/** Options of {@link requireScope}. */
export interface RequireScopeOptions {
  /**
   * What a user's own session token (which carries no scopes) gets:
   * `"allow"` — it passes, since a signed-in user holds their full authority
   * and scopes only restrict keys; `"deny"` — the route is for API keys only.
   *
   * @default "allow"
   */
  sessions?: "allow" | "deny";
}

/** An RFC 6749 §3.3 scope-token: printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

const scopesSchema = z.union([
  z.string().regex(SCOPE_TOKEN, "must be a scope such as reports:read"),
  z.array(z.string().regex(SCOPE_TOKEN, "must be a scope such as reports:read")).min(1).max(50),
]);
const optionsSchema = z.strictObject({ sessions: z.enum(["allow", "deny"]).optional() });

/**
 * Guards a route with scopes, for API-key-authenticated callers (and any
 * other scoped credential): a credential whose `getAuth(req).scopes` lacks
 * one of `scopes` is refused with 403 `scope_missing` and
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`
 * (RFC 6750 §3.1). Scopes match exactly (`reports:*` in a key is a scope
 * named `reports:*`, not a wildcard).
 *
 * - signed out → 401, as `requireAuth()` answers;
 * - a session token (unscoped) → passes, or is refused with `sessions: "deny"`;
 * - any other unscoped credential → 403 `scope_missing`.
 *
 * The 403 goes to `next(err)` (with the challenge header already set) for
 * `errorHandler()` to render.
 *
 * @param scopes - One scope or a list; all are required.
 * @param options - See {@link RequireScopeOptions}.
 * @returns A named `(req, res, next)` middleware for Express 4/5, Connect and `node:http`.
 * @throws GatehouseError `config_invalid` at start-up when an argument is invalid.
 * @example
 * ```ts
 * app.get("/api/reports", requireScope("reports:read"), listReports);
 * app.post("/api/ingest", requireScope(["events:write"], { sessions: "deny" }), ingest);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 insufficient_scope
 */
export function requireScope(
  scopes: string | readonly string[],
  options?: RequireScopeOptions,
): Middleware {
  const list = parseOptions("requireScope()", z.object({ scopes: scopesSchema }), {
    scopes,
  }).scopes;
  const required = Object.freeze([...new Set(typeof list === "string" ? [list] : list)]);
  const allowSessions =
    parseOptions("requireScope()", optionsSchema, options ?? {}).sessions !== "deny";
  const challenge = `Bearer error="insufficient_scope", scope="${required.join(" ")}"`;
  const signedOut = requireAuth();

  return function requireScope(req, res, next) {
    let auth: ReturnType<typeof getAuth>;
    try {
      auth = getAuth(req);
    } catch (err) {
      return next(err);
    }
    if (!auth.isSignedIn) return signedOut(req, res, next);
    const held = auth.scopes;
    let detail: string;
    if (held === null) {
      if (auth.tokenType === "session_token" && allowSessions) return next();
      detail = `This route needs a credential with the scope ${required.join(", ")}.`;
    } else {
      const missing = required.filter((s) => !held.includes(s));
      if (missing.length === 0) return next();
      detail = `The credential lacks the scope ${missing.join(", ")}.`;
    }
    res.setHeader("www-authenticate", challenge);
    next(new GatehouseError("scope_missing", detail));
  };
}
