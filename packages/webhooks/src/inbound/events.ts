/**
 * The events the webhook receiver emits on the Gatehouse event bus. They name
 * the message and the event type, never the payload or a secret.
 *
 * @packageDocumentation
 */
import type { GatehouseErrorCode } from "@gatehouse/core/errors";
import type { WebhookOutcome } from "./types.js";

/**
 * Data of `webhook.received`: a delivery was answered 200.
 *
 * @example
 * ```ts
 * bus.on("webhook.received", (e) => metrics.count(`webhook.${e.data.outcome}`));
 * ```
 */
export interface WebhookReceivedEvent {
  /** The message id. */
  readonly messageId: string;
  /** The event type (`user.created`, …). */
  readonly type: string;
  readonly outcome: WebhookOutcome;
}

/**
 * Data of `webhook.failed`: a delivery was refused or its handlers failed.
 *
 * @example
 * ```ts
 * bus.on("webhook.failed", (e) => log.warn({ code: e.data.code, messageId: e.data.messageId }));
 * ```
 */
export interface WebhookFailedEvent {
  /** The message id, once the signature is verified; `null` before (an unverified id is not reported). */
  readonly messageId: string | null;
  /** The event type, once known. */
  readonly type: string | null;
  /** Why: `webhook_signature_invalid`, `webhook_body_invalid`, `webhook_handler_failed`, … */
  readonly code: GatehouseErrorCode;
  /** The HTTP status answered. */
  readonly status: number;
}

declare module "@gatehouse/core" {
  interface GatehouseEvents {
    /** An inbound webhook was verified and answered 200 (`@gatehouse/webhooks`). */
    "webhook.received": WebhookReceivedEvent;
    /** An inbound webhook was refused, or a handler failed (`@gatehouse/webhooks`). */
    "webhook.failed": WebhookFailedEvent;
  }
}
