/**
 * The events the webhook sender emits on the Gatehouse event bus.
 * `forwardEvents()` never forwards `webhook.*` events (a failing endpoint
 * would otherwise feed itself messages about its own failures).
 *
 * @packageDocumentation
 */
import type { WebhookEndpointDisabledReason } from "./types.js";

/** `webhook.endpoint_disabled`: an endpoint stopped receiving webhooks. */
export interface WebhookEndpointDisabledEvent {
  readonly endpointId: string;
  /** `manual` (`endpoints.disable()`), `gone` (it answered 410) or `failing` (failed for `disableAfterFailingSec`). */
  readonly reason: WebhookEndpointDisabledReason;
}

/** `webhook.delivery_dead`: a delivery will not be attempted again unless replayed. */
export interface WebhookDeliveryDeadEvent {
  readonly deliveryId: string;
  readonly messageId: string;
  readonly endpointId: string;
  /** The error kind of the last attempt, or why no attempt was made (`endpoint_disabled`, …). */
  readonly lastError: string | null;
}

declare module "@gatehouse/core" {
  interface GatehouseEvents {
    /** An outgoing-webhook endpoint was disabled (`@gatehouse/webhooks`). */
    "webhook.endpoint_disabled": WebhookEndpointDisabledEvent;
    /** An outgoing webhook delivery gave up (dead letter). */
    "webhook.delivery_dead": WebhookDeliveryDeadEvent;
  }
}
