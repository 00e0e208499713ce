import type { CredentialSource, SignedInAuthContext, SignedInFields } from "../auth-context.js";
import type { Clock } from "../clock.js";
import type { AsymmetricAlgorithm } from "../jwt/algorithms.js";
import type { VerificationKey } from "../keys/key-set.js";

/** Where an issuer's keys come from: a fixed set, or a cached remote JWKS. */
export interface KeySource {
  /** Keys that may have signed a token with this `kid` and `alg`; a promise only when a fetch is needed. */
  candidates(
    kid: string | undefined,
    alg: AsymmetricAlgorithm,
  ): readonly VerificationKey[] | Promise<readonly VerificationKey[]>;
  /** Fetches remote keys ahead of the first request. */
  load?(): Promise<void>;
}

/**
 * A trusted token issuer, as `clerk()` and `jwks()` build it. The verifier
 * picks the issuer by the token's `iss`, checks the signature with the
 * issuer's keys, then lets the issuer check its own claims and build the
 * context.
 */
export interface Issuer {
  /** A label for messages and logs, e.g. `clerk`. */
  readonly name: string;
  /** The exact `iss` this issuer signs with; `undefined` accepts any `iss` no other issuer claims. */
  readonly iss: string | undefined;
  /** Algorithms accepted from this issuer. */
  readonly algorithms: readonly AsymmetricAlgorithm[];
  /** Accepted header `typ` values, normalised (see RFC 7515 §4.1.9); `undefined` accepts any. */
  readonly typ: readonly string[] | undefined;
  /** Whether a token without `typ` is refused. */
  readonly typRequired: boolean;
  /** Creates this issuer's key source, reading time from `clock`. */
  createKeySource(clock: Clock): KeySource;
  /** Checks issuer-specific claims (audience, authorized party) of a verified token and maps it to a context. */
  accept(payload: Record<string, unknown>, sub: string, source: CredentialSource): SignedInFields;
  /**
   * Checks that a verified context still stands (e.g. its session was not
   * revoked). Runs on every request, cached contexts included, so it should
   * answer synchronously from memory; throw a {@link GatehouseError} to refuse.
   */
  revalidate?(context: SignedInAuthContext): void | Promise<void>;
}

/** What an {@link OpaqueIssuer} makes of a credential it accepts. */
export interface OpaqueVerification {
  readonly fields: SignedInFields;
  /** Epoch milliseconds until which the verifier may serve this result from its cache. */
  readonly cacheUntil: number;
}

/**
 * An issuer of opaque credentials (API keys) rather than JWTs, as `apiKeys()`
 * builds it. The verifier routes a credential to it by prefix, caches what it
 * accepts until `cacheUntil`, and calls `revalidate` on every request.
 */
export interface OpaqueIssuer {
  readonly kind: "opaque";
  /** A label for messages and logs, e.g. `api-keys`. */
  readonly name: string;
  /** Credentials starting with one of these (e.g. `gh_sk_`) are this issuer's. */
  readonly prefixes: readonly string[];
  /** Verifies a credential, or throws a {@link GatehouseError}; a promise only when storage is read. */
  verify(
    token: string,
    source: CredentialSource,
    now: number,
  ): OpaqueVerification | Promise<OpaqueVerification>;
  /** Like {@link Issuer.revalidate}. */
  revalidate?(context: SignedInAuthContext): void | Promise<void>;
}

/**
 * Answers whether a session or API key was revoked. `@gatehouse/sessions`
 * provides one backed by the shared store; it answers synchronously from a
 * local copy kept fresh, and returns a promise only when that copy is too old.
 */
export interface RevocationCheck {
  isRevoked(kind: "session" | "api_key", id: string): boolean | Promise<boolean>;
}
