import { constants, type KeyObject, verify } from "node:crypto";

/** A JWS algorithm Gatehouse verifies with a public key (RFC 7518 §3, RFC 8037). */
export type AsymmetricAlgorithm =
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA";

interface AlgorithmSpec {
  /** Digest passed to `crypto.verify` (null for EdDSA, which hashes internally). */
  readonly digest: string | null;
  /** Whether `key` is the right kind of key for this algorithm. */
  accepts(key: KeyObject): boolean;
  /** Verify options for `key` (padding, signature encoding). */
  options(key: KeyObject): Parameters<typeof verify>[2];
  /** Exact signature length in bytes, where the algorithm fixes it. */
  signatureLength?: number;
}

// RFC 8725 §3.5 / NIST SP 800-131A: RSA keys under 2048 bits are refused.
const MIN_RSA_BITS = 2048;

function rsa(digest: string, pss: boolean): AlgorithmSpec {
  return {
    digest,
    accepts: (key) =>
      (key.asymmetricKeyType === "rsa" || (pss && key.asymmetricKeyType === "rsa-pss")) &&
      (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS,
    options: pss
      ? (key) => ({
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        })
      : (key) => key,
  };
}

function ecdsa(digest: string, curve: string, signatureLength: number): AlgorithmSpec {
  return {
    digest,
    signatureLength,
    accepts: (key) =>
      key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === curve,
    // JWS carries ECDSA signatures as raw r||s, not DER (RFC 7518 §3.4).
    options: (key) => ({ key, dsaEncoding: "ieee-p1363" }),
  };
}

const ALGORITHMS: Readonly<Record<AsymmetricAlgorithm, AlgorithmSpec>> = {
  RS256: rsa("sha256", false),
  RS384: rsa("sha384", false),
  RS512: rsa("sha512", false),
  PS256: rsa("sha256", true),
  PS384: rsa("sha384", true),
  PS512: rsa("sha512", true),
  ES256: ecdsa("sha256", "prime256v1", 64),
  ES384: ecdsa("sha384", "secp384r1", 96),
  ES512: ecdsa("sha512", "secp521r1", 132),
  EdDSA: {
    digest: null,
    accepts: (key) => key.asymmetricKeyType === "ed25519" || key.asymmetricKeyType === "ed448",
    options: (key) => key,
  },
};

/** Every algorithm Gatehouse can verify. */
export const ASYMMETRIC_ALGORITHMS = Object.freeze(
  Object.keys(ALGORITHMS) as AsymmetricAlgorithm[],
);

/** Whether `alg` names an algorithm Gatehouse can verify. */
export function isAsymmetricAlgorithm(alg: unknown): alg is AsymmetricAlgorithm {
  return typeof alg === "string" && Object.hasOwn(ALGORITHMS, alg);
}

/** Whether `key` may be used with `alg` (key type, curve, RSA size). */
export function keyFitsAlgorithm(key: KeyObject, alg: AsymmetricAlgorithm): boolean {
  return ALGORITHMS[alg].accepts(key);
}

/**
 * Verifies a JWS signature synchronously with a cached `KeyObject`. The key must
 * already have passed {@link keyFitsAlgorithm}.
 */
export function verifySignature(
  alg: AsymmetricAlgorithm,
  key: KeyObject,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  const spec = ALGORITHMS[alg];
  if (spec.signatureLength !== undefined && signature.length !== spec.signatureLength) return false;
  try {
    return verify(spec.digest, signingInput, spec.options(key), signature);
  } catch {
    // OpenSSL throws on some malformed signatures instead of returning false.
    return false;
  }
}
