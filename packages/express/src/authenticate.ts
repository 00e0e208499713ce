import { IncomingMessage } from "node:http";
import type { AuthContext, Verifier } from "@gatehouse/core";
import { configError, readOptions, rejectUnknown } from "./internal/options.js";
import { AUTH, type Carrier, slot } from "./internal/store.js";
import type { AuthenticateOptions, Middleware } from "./types.js";

const FACTORY = "authenticate()";

/** Request properties that Node, Express or common middleware already own. */
const RESERVED = new Set([
  "__proto__",
  "constructor",
  "prototype",
  "app",
  "baseUrl",
  "body",
  "cookies",
  "headers",
  "hostname",
  "ip",
  "ips",
  "method",
  "next",
  "originalUrl",
  "params",
  "path",
  "protocol",
  "query",
  "res",
  "route",
  "secure",
  "signedCookies",
  "socket",
  "subdomains",
  "url",
]);

function readAssignTo(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^[A-Za-z_$][\w$]{0,63}$/.test(value)) {
    configError(FACTORY, 'option "assignTo" must be a JavaScript identifier, e.g. "auth"');
  }
  if (RESERVED.has(value) || value in IncomingMessage.prototype) {
    configError(FACTORY, `option "assignTo" may not be "${value}": the request already uses it`);
  }
  return value;
}

/**
 * Authenticates every request that passes through: reads the Bearer token (or
 * the session cookie), verifies it with `verifier`, stores the resulting
 * {@link AuthContext} on the request for `getAuth()`, and calls `next()`.
 *
 * It never answers by itself: a missing or refused credential yields a
 * signed-out context with a `reason` (guard routes with `requireAuth()`).
 * Only when verification is impossible (`jwks_unavailable`, 503) does it call
 * `next(err)`, for `errorHandler()` to render.
 *
 * Idempotent: a request that already carries a context (say, the middleware is
 * mounted both app-wide and on a router) is not verified again.
 *
 * The context lives under the registered symbol `Symbol.for("gatehouse.auth")`,
 * not `req.auth`, so it cannot collide with express-jwt or Passport; read it
 * with `getAuth(req)`, or opt in to a property with `assignTo`.
 *
 * @param verifier - From `createVerifier()` of `@gatehouse/core` (only its
 *   `authenticate` method is used).
 * @param options - See {@link AuthenticateOptions}.
 * @returns A named `(req, res, next)` middleware for Express 4/5, Connect and `node:http`.
 * @throws GatehouseError `config_invalid` at start-up when `verifier` or an option is invalid.
 * @example
 * ```ts
 * const verifier = createVerifier({ issuers: [clerk({ jwtKey: process.env.CLERK_JWT_KEY! })] });
 * app.use(authenticate(verifier));
 * app.get("/me", requireAuth(), (req, res) => res.json({ userId: getAuth(req).userId }));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 Authorization Request Header Field
 */
export function authenticate(
  verifier: Pick<Verifier, "authenticate"> & Partial<Pick<Verifier, "authenticateSync">>,
  options?: AuthenticateOptions,
): Middleware {
  if (typeof (verifier as Partial<Verifier> | null | undefined)?.authenticate !== "function") {
    configError(FACTORY, "pass the verifier returned by createVerifier() as the first argument");
  }
  const o = readOptions(FACTORY, options);
  rejectUnknown(FACTORY, o, ["assignTo"]);
  const assignTo = readAssignTo(o.assignTo);

  // Stores the context under the symbol, and under `req[assignTo]` when the app opted in.
  const remember = (r: Carrier, auth: AuthContext): void => {
    r[AUTH] = auth;
    if (assignTo !== undefined) r[assignTo] = auth;
  };

  return function authenticate(req, _res, next) {
    const r = slot(req);
    const existing = r[AUTH];
    if (existing !== undefined) {
      remember(r, existing);
      return next();
    }
    // Most requests are decided without waiting (no credential, a cached token, local
    // keys): continue synchronously, and fall back to the promise only for a key fetch.
    let known: AuthContext | undefined;
    try {
      known = verifier.authenticateSync?.(req);
    } catch (err) {
      return next(err);
    }
    if (known !== undefined) {
      remember(r, known);
      return next();
    }
    verifier.authenticate(req).then((auth: AuthContext) => {
      remember(r, auth);
      next();
    }, next);
  };
}
