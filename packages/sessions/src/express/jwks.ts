import type { Middleware } from "@gatehouse/express";
import type { Sessions } from "../types.js";
import { assertSessions } from "./service.js";

/**
 * Serves the public keys access tokens are signed with
 * (`sessions.publicJwks()`: the next, active and retired keys), for other
 * services that verify them (`jwks({ jwksUrl })` or `local()` of
 * `@gatehouse/core`, jose's `createRemoteJWKSet`, …).
 *
 * Answers `GET` and `HEAD` with `Content-Type: application/json` and
 * `Cache-Control: public, max-age=60`; other methods go to `next()`.
 * `application/json` rather than RFC 7517's `application/jwk-set+json`:
 * it is what verifiers ask for (`@gatehouse/core` fetches with
 * `Accept: application/json`) and what Clerk, Auth0 and Google serve, so no
 * client that checks the type refuses it. A minute of caching keeps key
 * rotation visible quickly: a new key is published `publishAheadSec`
 * (10 minutes by default) before it signs. A store failure goes to `next(err)`.
 *
 * @param sessions - From `createSessions()`.
 * @returns A named `(req, res, next)` handler for Express 4/5, Connect and `node:http`.
 * @throws GatehouseError `config_invalid` at start-up when `sessions` is not the service.
 * @example
 * ```ts
 * app.get("/.well-known/jwks.json", jwksHandler(sessions));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5 JWK Set Format
 */
export function jwksHandler(sessions: Sessions): Middleware {
  assertSessions("jwksHandler()", sessions);
  return function jwksHandler(req, res, next) {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    let pending: ReturnType<Sessions["publicJwks"]>;
    try {
      pending = sessions.publicJwks();
    } catch (err) {
      return next(err);
    }
    pending.then((jwks) => {
      const text = JSON.stringify(jwks);
      res.statusCode = 200;
      res.setHeader("content-type", "application/json; charset=utf-8");
      res.setHeader("content-length", String(Buffer.byteLength(text)));
      res.setHeader("cache-control", "public, max-age=60");
      res.setHeader("x-content-type-options", "nosniff");
      res.end(req.method === "HEAD" ? undefined : text);
    }, next);
  };
}
