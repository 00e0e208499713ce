import type { CredentialSource, SignedInFields } from "../auth-context.js";
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
}
