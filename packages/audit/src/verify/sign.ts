// Internal: signs and verifies checkpoints with HMAC-SHA256 or Ed25519,
// chosen by the key's type.
import {
  createHmac,
  createPublicKey,
  createSecretKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { types } from "node:util";
import { configError } from "@gatehouse/core/errors";

/**
 * A checkpoint key: a secret for HMAC-SHA256 (a string or bytes of at least
 * 32 bytes, or a secret `KeyObject`), or an Ed25519 `KeyObject` (the private
 * key signs; the public or private key verifies).
 */
export type CheckpointKey = string | Uint8Array | KeyObject;

/** The algorithms of a checkpoint signature. */
export type CheckpointAlgorithm = "hmac-sha256" | "ed25519";

type Resolved =
  | { readonly algorithm: "hmac-sha256"; readonly secret: KeyObject }
  | { readonly algorithm: "ed25519"; readonly key: KeyObject };

const MIN_SECRET_BYTES = 32;

/** Resolves a key to its algorithm, or throws `config_invalid` (without echoing the key). */
export function resolveKey(where: string, key: unknown): Resolved {
  if (types.isKeyObject(key)) {
    const k = key as KeyObject;
    if (k.type === "secret") {
      if ((k.symmetricKeySize ?? 0) < MIN_SECRET_BYTES) {
        configError(where, `an HMAC key needs at least ${MIN_SECRET_BYTES} bytes`);
      }
      return { algorithm: "hmac-sha256", secret: k };
    }
    if (k.asymmetricKeyType !== "ed25519") {
      configError(where, "an asymmetric key must be Ed25519");
    }
    return { algorithm: "ed25519", key: k };
  }
  if (typeof key === "string" || key instanceof Uint8Array) {
    const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key);
    if (bytes.length < MIN_SECRET_BYTES) {
      configError(where, `an HMAC key needs at least ${MIN_SECRET_BYTES} bytes`);
    }
    return { algorithm: "hmac-sha256", secret: createSecretKey(bytes) };
  }
  return configError(where, "the key must be a string, bytes or a KeyObject");
}

/** The bytes a checkpoint signature covers. */
export function signedBytes(
  algorithm: CheckpointAlgorithm,
  c: { stream: string; seq: number; hash: string; signedAt: number },
): Buffer {
  return Buffer.from(
    JSON.stringify([
      "gatehouse.audit.checkpoint/1",
      algorithm,
      c.stream,
      c.seq,
      c.hash,
      c.signedAt,
    ]),
  );
}

/** Signs `data`; throws `config_invalid` for an Ed25519 public key. */
export function signBytes(where: string, key: Resolved, data: Buffer): string {
  if (key.algorithm === "hmac-sha256") {
    return createHmac("sha256", key.secret).update(data).digest("base64url");
  }
  if (key.key.type !== "private") configError(where, "signing needs the Ed25519 private key");
  return sign(null, data, key.key).toString("base64url");
}

/** Whether `signature` (base64url) signs `data` under `key` with `algorithm`. */
export function verifyBytes(
  key: Resolved,
  algorithm: string,
  data: Buffer,
  signature: string,
): boolean {
  if (algorithm !== key.algorithm || !/^[A-Za-z0-9_-]{1,200}$/.test(signature)) return false;
  const given = Buffer.from(signature, "base64url");
  if (key.algorithm === "hmac-sha256") {
    const expected = createHmac("sha256", key.secret).update(data).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  const pub = key.key.type === "private" ? createPublicKey(key.key) : key.key;
  return verify(null, data, pub, given);
}
