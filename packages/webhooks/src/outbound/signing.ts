/**
 * Internal: the headers of one attempt — a fresh timestamp, and one `v1,`
 * signature per live secret of the endpoint (two during a rotation overlap).
 *
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @packageDocumentation
 */
import { parseWebhookSecret } from "../secrets.js";
import { signatureHeader } from "../signature.js";
import type { EndpointRecord, SenderContext } from "./context.js";

/** The key bytes that sign for `endpoint` at `now`: the current secret, then the previous one during its overlap. */
export function signingKeys(ctx: SenderContext, endpoint: EndpointRecord, now: number): Buffer[] {
  const keys = [parseWebhookSecret(ctx.box.open(endpoint.secret, endpoint.id))];
  if (
    endpoint.previousSecret !== null &&
    endpoint.previousSecretExpiresAt !== null &&
    endpoint.previousSecretExpiresAt > now
  ) {
    keys.push(parseWebhookSecret(ctx.box.open(endpoint.previousSecret, endpoint.id)));
  }
  return keys;
}

/** The request headers of one attempt of message `messageId` with `body`. */
export function attemptHeaders(
  ctx: SenderContext,
  endpoint: EndpointRecord,
  messageId: string,
  body: string,
  now: number,
): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    "content-type": "application/json",
    "user-agent": ctx.options.userAgent,
    "webhook-id": messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(
      signingKeys(ctx, endpoint, now),
      messageId,
      timestamp,
      body,
    ),
  };
}
