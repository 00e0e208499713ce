/**
 * Endpoint secrets at rest: AES-256-GCM under a key derived (HKDF-SHA-256)
 * from the sender's `secret` option, bound to the endpoint id (AAD) so a
 * sealed secret copied onto another endpoint does not open. A list of
 * secrets rotates: the first seals, every one opens (the sealed value names
 * its key by a short id).
 *
 * @packageDocumentation
 */
import { createCipheriv, createDecipheriv, hash, hkdfSync, randomBytes } from "node:crypto";
import { GatehouseError } from "@gatehouse/core/errors";

interface Key {
  readonly id: string;
  readonly key: Buffer;
}

const INFO = "gatehouse/webhooks/endpoint-secret";

/** Seals and opens endpoint secrets. */
export interface SecretBox {
  seal(plaintext: string, endpointId: string): string;
  /** Throws `config_invalid` if no configured secret opens it (the sender's secret was changed, not rotated). */
  open(sealed: string, endpointId: string): string;
}

/** A {@link SecretBox} over the app secrets, newest first. */
export function createSecretBox(secrets: readonly string[]): SecretBox {
  const keys: Key[] = secrets.map((s) => {
    const material = Buffer.from(s, "utf8");
    return {
      id: hash(
        "sha256",
        Buffer.concat([Buffer.from("gatehouse-webhooks-key:"), material]),
        "hex",
      ).slice(0, 8),
      key: Buffer.from(hkdfSync("sha256", material, "gatehouse", INFO, 32)),
    };
  });

  return Object.freeze({
    seal(plaintext: string, endpointId: string): string {
      const { id, key } = keys[0]!;
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(endpointId));
      const body = Buffer.concat([
        cipher.update(plaintext, "utf8"),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `v1.${id}.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed: string, endpointId: string): string {
      const [version, id, iv, body] = sealed.split(".");
      const key = keys.find((k) => k.id === id);
      if (version === "v1" && key !== undefined && iv !== undefined && body !== undefined) {
        try {
          const bytes = Buffer.from(body, "base64url");
          const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"));
          decipher.setAAD(Buffer.from(endpointId));
          decipher.setAuthTag(bytes.subarray(bytes.length - 16));
          return Buffer.concat([
            decipher.update(bytes.subarray(0, bytes.length - 16)),
            decipher.final(),
          ]).toString("utf8");
        } catch {
          // fall through
        }
      }
      throw new GatehouseError(
        "config_invalid",
        "createWebhookSender(): an endpoint secret does not open with any configured `secret` (keep the old secret in the list when rotating).",
      );
    },
  });
}
