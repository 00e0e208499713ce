/**
 * Signing key material: new key pairs, their public JWK, and the private key
 * sealed under the app's secrets (kid as AAD, so a sealed key cannot be
 * swapped onto another record).
 *
 * @packageDocumentation
 */
import { createPrivateKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import type { SecretRing } from "../crypto.js";

/** The algorithms access tokens are signed with. */
export type SigningAlgorithm = "RS256" | "ES256" | "EdDSA";

/** Every {@link SigningAlgorithm}. */
export const SIGNING_ALGORITHMS = Object.freeze(["RS256", "ES256", "EdDSA"] as const);

/** A public JWK as published: key members plus `kid`, `alg` and `use`. */
export type PublicJwk = Readonly<Record<string, string>>;

const generate = promisify(generateKeyPair);

// The only members a published key carries; private ones (`d`, `p`, `q`, …) never pass.
const PUBLIC_MEMBERS = ["kty", "crv", "x", "y", "n", "e"] as const;

/** A new key pair: its public JWK and its private key sealed for the store. */
export interface NewKeyMaterial {
  readonly publicJwk: PublicJwk;
  readonly sealedPrivateKey: string;
}

/** Generates a key pair for `alg` (RSA-2048, P-256 or Ed25519) off the main thread. */
export async function createKeyMaterial(
  alg: SigningAlgorithm,
  kid: string,
  secrets: SecretRing,
): Promise<NewKeyMaterial> {
  const { publicKey, privateKey } =
    alg === "RS256"
      ? await generate("rsa", { modulusLength: 2048 })
      : alg === "ES256"
        ? await generate("ec", { namedCurve: "P-256" })
        : await generate("ed25519", undefined);
  const pem = privateKey.export({ type: "pkcs8", format: "pem" });
  return {
    publicJwk: publicJwkOf(publicKey.export({ format: "jwk" }), kid, alg),
    sealedPrivateKey: secrets.encrypt("signing-key", pem, kid),
  };
}

/** The publishable form of a JWK: public members only, plus `kid`, `alg`, `use: "sig"`. */
export function publicJwkOf(jwk: object, kid: string, alg: string): PublicJwk {
  const out: Record<string, string> = {};
  for (const m of PUBLIC_MEMBERS) {
    const value = (jwk as Record<string, unknown>)[m];
    if (typeof value === "string") out[m] = value;
  }
  return Object.freeze({ ...out, kid, alg, use: "sig" });
}

/**
 * Decrypts and imports a stored private key, or `undefined` when no secret
 * of the ring opens it or it does not fit its algorithm.
 */
export function openPrivateKey(
  secrets: SecretRing,
  record: { readonly kid: string; readonly alg: string; readonly privateKey: string },
): KeyObject | undefined {
  const pem = secrets.decrypt("signing-key", record.privateKey, record.kid);
  if (pem === undefined) return undefined;
  try {
    const key = createPrivateKey(pem);
    return fits(key, record.alg) ? key : undefined;
  } catch {
    return undefined;
  } finally {
    pem.fill(0); // the KeyObject holds the key now; do not leave a plaintext copy around
  }
}

function fits(key: KeyObject, alg: string): boolean {
  const details = key.asymmetricKeyDetails;
  if (alg === "RS256")
    return key.asymmetricKeyType === "rsa" && (details?.modulusLength ?? 0) >= 2048;
  if (alg === "ES256")
    return key.asymmetricKeyType === "ec" && details?.namedCurve === "prime256v1";
  return alg === "EdDSA" && key.asymmetricKeyType === "ed25519";
}
