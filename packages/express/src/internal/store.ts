import type { AuthContext } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core";

/**
 * Where `authenticate()` keeps the context on a request. A registered symbol
 * (`Symbol.for`), so every copy of this package (ESM and CJS builds, two
 * versions in one tree) reads and writes the same slot, and no string
 * property such as `req.auth` (express-jwt) or `req.user` (Passport) is touched.
 */
export const AUTH: unique symbol = Symbol.for("gatehouse.auth") as never;

/** A request as this package sees it: anything that may carry the slot. */
export interface Carrier {
  [AUTH]?: AuthContext;
  [name: string]: unknown;
}

/** The request, seen as a carrier of the slot. */
export function slot(req: object): Carrier {
  return req as Carrier;
}

/** The misuse error of reading a context `authenticate()` never stored. */
export function notAuthenticated(caller: string): GatehouseError {
  return new GatehouseError(
    "config_invalid",
    `${caller} called on a request that authenticate() did not see: mount authenticate(verifier) first`,
  );
}
