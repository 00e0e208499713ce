/**
 * Webhooks in and out: verify Svix-signed (Clerk) and Standard Webhooks,
 * dispatch them to typed idempotent handlers, mirror Clerk into your store;
 * send your own signed webhooks through a durable outbox.
 *
 * @packageDocumentation
 */
export type { HeadersLike } from "./headers.js";
export * from "./inbound.js";
export * from "./outbound.js";
export { generateWebhookSecret, parseWebhookSecret } from "./secrets.js";
export { signatureHeader } from "./signature.js";
export {
  createWebhookVerifier,
  type VerifiedWebhook,
  verifyWebhook,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from "./verify.js";
