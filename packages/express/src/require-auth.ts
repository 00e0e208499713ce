import type { AuthContext } from "@gatehouse/core";
import { readOptions, readRealm, rejectUnknown } from "./internal/options.js";
import { type PreparedProblem, prepareProblem, writeProblem } from "./internal/render.js";
import { AUTH, notAuthenticated, slot } from "./internal/store.js";
import type { Middleware, RequireAuthOptions } from "./types.js";

const FACTORY = "requireAuth()";

/**
 * Lets signed-in requests through and answers every other one with 401.
 *
 * The 401 is rendered here, directly (not through `next(err)`), so the guard
 * works whether or not `errorHandler()` is mounted, under Express,
 * Connect and `node:http` alike. It is an RFC 9457 `application/problem+json`
 * body `{ type, title, status, detail, code }` with an RFC 6750 challenge:
 *
 * - no credential: `WWW-Authenticate: Bearer realm="api"` (no `error`, RFC 6750 §3.1);
 * - a refused credential: `Bearer realm="api", error="invalid_token", error_description="…"`.
 *
 * Never a redirect, never the token, never a stack. A request that
 * `authenticate()` did not see is a wiring bug: it goes to `next(err)` with
 * a `config_invalid` (500) error instead of a misleading 401.
 *
 * @param options - See {@link RequireAuthOptions}.
 * @returns A named `(req, res, next)` middleware.
 * @throws GatehouseError `config_invalid` at start-up when an option is invalid.
 * @example
 * ```ts
 * app.use("/api", authenticate(verifier), requireAuth({ realm: "api" }));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3 The WWW-Authenticate response header
 * @see https://www.rfc-editor.org/rfc/rfc9457 Problem Details for HTTP APIs
 */
export function requireAuth(options?: RequireAuthOptions): Middleware {
  const o = readOptions(FACTORY, options);
  rejectUnknown(FACTORY, o, ["realm"]);
  const settings = { realm: readRealm(FACTORY, o.realm), retryAfter: "30" };
  // Contexts are immutable and the "no credential" one is a singleton, so the
  // commonest 401 is serialised once and then only written.
  let lastContext: AuthContext | undefined;
  let lastProblem: PreparedProblem | undefined;

  return function requireAuth(req, res, next) {
    const auth = slot(req)[AUTH];
    if (auth === undefined) return next(notAuthenticated("requireAuth()"));
    if (auth.isSignedIn) return next();
    let problem = lastProblem;
    if (auth !== lastContext || problem === undefined) {
      problem = prepareProblem(auth.reason, 401, auth.message, settings);
      lastContext = auth;
      lastProblem = problem;
    }
    writeProblem(res, problem);
  };
}
