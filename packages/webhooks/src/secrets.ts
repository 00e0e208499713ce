/**
 * Webhook signing secrets: `whsec_` followed by base64 of 24 to 64 random
 * bytes (the Svix and Standard Webhooks format). Parsed once; the raw key
 * bytes are what HMAC uses.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { GatehouseError } from "@gatehouse/core/errors";

const PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The key bytes of a `whsec_…` secret (the prefix is optional, as Svix
 * allows). Throws `config_invalid` for anything else; the message never
 * contains the secret.
 */
export function parseWebhookSecret(secret: string, where = "webhook secret"): Buffer {
  const encoded =
    typeof secret === "string" && secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (typeof encoded !== "string" || !BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new GatehouseError("config_invalid", `${where}: expected "whsec_" and base64.`);
  }
  const key = Buffer.from(encoded, "base64");
  if (key.length < 24 || key.length > 64) {
    throw new GatehouseError("config_invalid", `${where}: the key must be 24 to 64 bytes.`);
  }
  return key;
}

/** A new `whsec_` secret of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString("base64")}`;
}
