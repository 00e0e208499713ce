import type { IncomingMessage } from "node:http";
import type { AuthContext } from "@gatehouse/core";
import { AUTH, notAuthenticated, slot } from "./internal/store.js";

/**
 * The {@link AuthContext} that `authenticate()` stored on this request:
 * signed in (`isSignedIn: true`, `userId`, `orgId`, `has()`, ...) or signed
 * out (`isSignedIn: false` with a machine-readable `reason` such as
 * `token_missing` or `token_expired`).
 *
 * Calling it on a request that `authenticate()` did not see is a wiring bug,
 * not an anonymous request, so it throws instead of guessing "signed out".
 *
 * @param req - The request (Express, Connect or `node:http`).
 * @returns The context; never `undefined`.
 * @throws GatehouseError `config_invalid` (500) when `authenticate()` is not mounted before this point.
 * @example
 * ```ts
 * app.get("/hello", (req, res) => {
 *   const auth = getAuth(req);
 *   res.send(auth.isSignedIn ? `Hello ${auth.userId}` : `Hello stranger (${auth.reason})`);
 * });
 * ```
 */
export function getAuth(req: IncomingMessage): AuthContext {
  const auth = slot(req)[AUTH];
  if (auth === undefined) throw notAuthenticated("getAuth()");
  return auth;
}
