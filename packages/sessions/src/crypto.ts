/**
 * The few primitives this package builds on, all from `node:crypto`: random
 * tokens, SHA-256 digests, and a ring of app secrets that derives one key per
 * purpose (HKDF) for MACs and AES-256-GCM encryption, so the app can rotate
 * its secret (new first, old still accepted).
 *
 * @packageDocumentation
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/** A random token of `bytes` bytes (256 bits by default), base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** SHA-256 of `value`, base64url: how high-entropy tokens are stored. */
export function sha256(value: string): string {
  return hash("sha256", value, "base64url");
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a derived key is for; each purpose gets its own key. */
export type KeyPurpose = "signing-key" | "device-cookie" | "api-key" | "refresh-grace";

interface DerivedSecret {
  /** Short public id of the secret, so a ciphertext names the key it needs. */
  readonly id: string;
  readonly keys: Map<KeyPurpose, Buffer>;
  readonly material: Buffer;
}

/**
 * The app's secrets: the first one signs and encrypts; all of them verify
 * and decrypt, so a secret can be rotated without signing everyone out.
 */
export class SecretRing {
  private readonly secrets: readonly DerivedSecret[];

  constructor(secrets: readonly string[]) {
    this.secrets = secrets.map((s) => {
      const material = Buffer.from(s, "utf8");
      return {
        id: hash(
          "sha256",
          Buffer.concat([Buffer.from("gatehouse-secret-id:"), material]),
          "hex",
        ).slice(0, 8),
        keys: new Map(),
        material,
      };
    });
  }

  private key(secret: DerivedSecret, purpose: KeyPurpose): Buffer {
    let key = secret.keys.get(purpose);
    if (key === undefined) {
      key = Buffer.from(
        hkdfSync("sha256", secret.material, "gatehouse", `gatehouse/sessions/${purpose}`, 32),
      );
      secret.keys.set(purpose, key);
    }
    return key;
  }

  /** HMAC-SHA-256 of `data` under the first secret, base64url. */
  mac(purpose: KeyPurpose, data: string): string {
    return createHmac("sha256", this.key(this.secrets[0]!, purpose))
      .update(data)
      .digest("base64url");
  }

  /** HMAC-SHA-256 of `data` under every secret, first first. */
  macs(purpose: KeyPurpose, data: string): string[] {
    return this.secrets.map((s) =>
      createHmac("sha256", this.key(s, purpose)).update(data).digest("base64url"),
    );
  }

  /** Whether `mac` is the MAC of `data` under any secret (constant time per secret). */
  verifyMac(purpose: KeyPurpose, data: string, mac: string): boolean {
    let ok = false;
    for (const candidate of this.macs(purpose, data)) ok = safeEqual(candidate, mac) || ok;
    return ok;
  }

  /** AES-256-GCM encryption under the first secret: `v1.<secret id>.<iv>.<ciphertext+tag>`. */
  encrypt(purpose: KeyPurpose, plaintext: string | Buffer, aad = ""): string {
    const secret = this.secrets[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key(secret, purpose), iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return `v1.${secret.id}.${iv.toString("base64url")}.${body.toString("base64url")}`;
  }

  /** Decrypts what {@link encrypt} made with any secret; `undefined` if it fails authentication. */
  decrypt(purpose: KeyPurpose, sealed: string, aad = ""): Buffer | undefined {
    const [version, id, iv, body] = sealed.split(".");
    if (version !== "v1" || iv === undefined || body === undefined) return undefined;
    const secret = this.secrets.find((s) => s.id === id);
    if (secret === undefined) return undefined;
    return openSealed(this.key(secret, purpose), iv, body, aad);
  }
}

/** Encrypts with a key derived from a high-entropy token (the token itself is the secret). */
export function sealWithToken(token: string, plaintext: string): string {
  const key = Buffer.from(hkdfSync("sha256", token, "gatehouse", "gatehouse/sessions/seal", 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${iv.toString("base64url")}.${body.toString("base64url")}`;
}

/** Opens what {@link sealWithToken} sealed with the same token, or `undefined`. */
export function openWithToken(token: string, sealed: string): string | undefined {
  const [iv, body] = sealed.split(".");
  if (iv === undefined || body === undefined) return undefined;
  const key = Buffer.from(hkdfSync("sha256", token, "gatehouse", "gatehouse/sessions/seal", 32));
  return openSealed(key, iv, body, "")?.toString("utf8");
}

function openSealed(key: Buffer, iv: string, body: string, aad: string): Buffer | undefined {
  try {
    const bytes = Buffer.from(body, "base64url");
    if (bytes.length < 16) return undefined;
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
}
