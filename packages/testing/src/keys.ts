import { generateKeyPairSync, type JsonWebKey, type KeyObject, randomBytes } from "node:crypto";

/** Signing algorithms {@link generateTestKeys} can create a key pair for. */
export type TestKeyAlgorithm = "RS256" | "RS384" | "RS512" | "PS256" | "ES256" | "ES384" | "EdDSA";

/** Options for {@link generateTestKeys}. */
export interface GenerateTestKeysOptions {
  /**
   * JWS algorithm the key pair is for; decides the key type (RSA, P-256, P-384, Ed25519).
   * @default "RS256"
   */
  alg?: TestKeyAlgorithm;
  /**
   * Key ID written to the JWK and, by the minting helpers, to the JWS header.
   * @default a random `ins_test_<16 hex>` string, shaped like a Clerk instance key ID
   */
  kid?: string;
  /**
   * RSA modulus length in bits. Ignored for EC and Ed25519 keys.
   * @default 2048
   */
  modulusLength?: number;
}

/** A public JWK as published in a JWKS, with `kid`, `alg` and `use` set. */
export type TestPublicJwk = JsonWebKey & { kid: string; alg: TestKeyAlgorithm; use: "sig" };

/** A generated key pair in every shape a test needs: KeyObjects, PEM, JWK and JWKS. */
export interface TestKeys {
  /** JWS algorithm the pair signs with. */
  readonly alg: TestKeyAlgorithm;
  /** Key ID, also present in {@link TestKeys.publicJwk}. */
  readonly kid: string;
  /** Private key, for `jose` `SignJWT` or `node:crypto` `sign`. */
  readonly privateKey: KeyObject;
  /** Public key. */
  readonly publicKey: KeyObject;
  /** Public key as SPKI PEM (what Clerk calls the "JWT public key", `CLERK_JWT_KEY`). */
  readonly publicKeyPem: string;
  /** Private key as PKCS #8 PEM. */
  readonly privateKeyPem: string;
  /** Public key as a JWK with `kid`, `alg` and `use: "sig"`. */
  readonly publicJwk: TestPublicJwk;
  /** A JWKS holding (a copy of) {@link TestKeys.publicJwk} only. */
  readonly jwks: { keys: [TestPublicJwk] };
}

const DEFAULT_MODULUS_LENGTH = 2048;

function generatePair(
  alg: TestKeyAlgorithm,
  modulusLength: number,
): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (alg) {
    case "RS256":
    case "RS384":
    case "RS512":
    case "PS256":
      // A plain `rsa` key (not `rsa-pss`) serves both RS* and PS* and exports as a JWK.
      return generateKeyPairSync("rsa", { modulusLength });
    case "ES256":
      return generateKeyPairSync("ec", { namedCurve: "P-256" });
    case "ES384":
      return generateKeyPairSync("ec", { namedCurve: "P-384" });
    case "EdDSA":
      return generateKeyPairSync("ed25519");
    default:
      throw new TypeError(`generateTestKeys: unsupported alg ${JSON.stringify(alg)}`);
  }
}

/**
 * Generate a signing key pair for tests, synchronously, with its PEM, JWK and JWKS forms.
 *
 * @param options - Algorithm, key ID and RSA modulus length.
 * @returns The key pair; `jwks` can be served with {@link serveJwks} and `publicKeyPem`
 * passed to Clerk's `jwtKey` (RS256 only, as Clerk accepts only RS256 there).
 * @throws TypeError when `alg` is not supported or `modulusLength` is not an integer ≥ 1024.
 * @see https://www.rfc-editor.org/rfc/rfc7517 (JWK)
 * @example
 * ```ts
 * const keys = generateTestKeys(); // RS256, RSA 2048, random kid
 * const ec = generateTestKeys({ alg: "ES256", kid: "ec-1" });
 * ```
 */
export function generateTestKeys(options: GenerateTestKeysOptions = {}): TestKeys {
  const alg = options.alg ?? "RS256";
  const kid = options.kid ?? `ins_test_${randomBytes(8).toString("hex")}`;
  const modulusLength = options.modulusLength ?? DEFAULT_MODULUS_LENGTH;
  if (typeof kid !== "string" || kid.length === 0) {
    throw new TypeError("generateTestKeys: kid must be a non-empty string");
  }
  if (!Number.isInteger(modulusLength) || modulusLength < 1024) {
    throw new TypeError("generateTestKeys: modulusLength must be an integer >= 1024");
  }
  const { publicKey, privateKey } = generatePair(alg, modulusLength);
  const publicJwk: TestPublicJwk = {
    ...publicKey.export({ format: "jwk" }),
    kid,
    alg,
    use: "sig",
  };
  return {
    alg,
    kid,
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicJwk,
    jwks: { keys: [{ ...publicJwk }] },
  };
}
