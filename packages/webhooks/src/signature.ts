/**
 * The Standard Webhooks signature (the scheme Svix and Clerk use):
 * `v1,` + base64 HMAC-SHA256, under the secret's key bytes, of
 * `<message id>.<timestamp seconds>.<raw body>`.
 *
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @packageDocumentation
 */
import { createHmac } from "node:crypto";

/** The raw HMAC of a message: 32 bytes. */
export function webhookDigest(
  key: Buffer,
  id: string,
  timestampSec: number,
  body: string | Uint8Array,
): Buffer {
  return createHmac("sha256", key).update(`${id}.${timestampSec}.`).update(body).digest();
}

/**
 * The `webhook-signature` header value for `body`: one `v1,<base64>` per key,
 * space-separated (several during a secret rotation).
 */
export function signatureHeader(
  keys: readonly Buffer[],
  id: string,
  timestampSec: number,
  body: string | Uint8Array,
): string {
  return keys
    .map((key) => `v1,${webhookDigest(key, id, timestampSec, body).toString("base64")}`)
    .join(" ");
}
