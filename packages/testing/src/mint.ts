import { SignJWT } from "jose";
import { type Clock, nowSec } from "./clock.js";
import type { TestKeys } from "./keys.js";

/** Options for {@link mintToken}. */
export interface MintTokenOptions {
  /**
   * JWS protected header members, merged over `{ alg, kid, typ: "JWT" }` from the keys.
   * `alg` must still match the key (`jose` refuses otherwise); use {@link signRawJwt} to forge.
   * @default {}
   */
  header?: Record<string, unknown>;
  /**
   * Clock that supplies "now" for `iat` and `exp`.
   * @default the system clock (`Date.now`)
   */
  clock?: Clock;
  /**
   * Lifetime in seconds: `exp = now + expiresInSec`. Negative values mint an expired token.
   * @default 60
   */
  expiresInSec?: number;
  /**
   * Absolute `nbf` in epoch seconds.
   * @default no `nbf` claim
   */
  notBeforeSec?: number;
  /**
   * Absolute `iat` in epoch seconds.
   * @default now, from `clock`
   */
  issuedAtSec?: number;
}

const DEFAULT_EXPIRES_IN_SEC = 60;

function assertSeconds(name: string, value: number | undefined): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
    throw new TypeError(`mintToken: ${name} must be a finite number of seconds`);
  }
}

/**
 * Mint a signed JWT for tests with `jose`, adding `iat` and `exp` unless the payload sets them.
 *
 * A claim present in `payload` always wins, even when its value is `undefined`: pass
 * `{ exp: undefined }` to mint a token without `exp` (`JSON.stringify` drops it).
 *
 * @param keys - Keys from {@link generateTestKeys}; supply `alg`, `kid` and the private key.
 * @param payload - JWT claims set.
 * @param options - Header overrides, clock and lifetimes.
 * @returns The compact JWS.
 * @see https://www.rfc-editor.org/rfc/rfc7519 (JWT)
 * @example
 * ```ts
 * const keys = generateTestKeys();
 * const token = await mintToken(keys, { iss: "https://issuer.test", sub: "user_1", aud: "api" });
 * ```
 */
export async function mintToken(
  keys: TestKeys,
  payload: Record<string, unknown>,
  options: MintTokenOptions = {},
): Promise<string> {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new TypeError("mintToken: payload must be a plain object");
  }
  assertSeconds("expiresInSec", options.expiresInSec);
  assertSeconds("notBeforeSec", options.notBeforeSec);
  assertSeconds("issuedAtSec", options.issuedAtSec);
  const now = nowSec(options.clock);
  const defaults: Record<string, unknown> = { iat: options.issuedAtSec ?? now };
  if (options.notBeforeSec !== undefined) defaults.nbf = options.notBeforeSec;
  defaults.exp = now + (options.expiresInSec ?? DEFAULT_EXPIRES_IN_SEC);
  // Spread (not Object.assign) so an own `__proto__` key in a hostile payload stays a claim.
  const claims = { ...defaults, ...payload };
  const header = { alg: keys.alg, kid: keys.kid, typ: "JWT", ...options.header };
  // `jose` types the header as JWTHeaderParameters; the caller owns whatever extra members it adds.
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(keys.privateKey);
}
