/**
 * Custom session claims, typed by module augmentation:
 *
 * @example
 * ```ts
 * declare module "@gatehouse/core" {
 *   interface CustomClaims {
 *     tenant?: string;
 *   }
 * }
 * // auth.claims.tenant is now `string | undefined`
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by module augmentation
export interface CustomClaims {}

/** Registered JWT claims (RFC 7519 §4.1) and the Clerk claims Gatehouse reads. */
export interface RegisteredClaims {
  /** Issuer. */
  iss: string;
  /** Subject: the user id. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat?: number;
  /** Not before, seconds since the epoch. */
  nbf?: number;
  /** Audience. */
  aud?: string | string[];
  /** Authorized party: the origin the token was issued to. */
  azp?: string;
  /** Session id. */
  sid?: string;
  /** Token id. */
  jti?: string;
  /** Any other claim. */
  [claim: string]: unknown;
}

/** The claims of a verified token: registered claims plus your {@link CustomClaims}. */
export type SessionClaims = RegisteredClaims & CustomClaims;

/** The impersonator of an impersonation session (Clerk `act` claim, RFC 8693 §4.1). */
export interface Actor {
  /** The user id of the impersonator. */
  readonly sub: string;
  readonly [claim: string]: unknown;
}

/**
 * Minutes since the session's first and second factor were last verified
 * (Clerk `fva`); `-1` means never.
 */
export type FactorVerificationAge = readonly [
  firstFactorMinutes: number,
  secondFactorMinutes: number,
];
