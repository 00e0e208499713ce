/**
 * The public shapes of outgoing webhooks: endpoints, messages, deliveries and
 * attempts as the sender returns them (never a secret).
 *
 * @packageDocumentation
 */

/** Why an endpoint is disabled: by its owner, because it answered 410 Gone, or because it kept failing. */
export type WebhookEndpointDisabledReason = "manual" | "gone" | "failing";

/** A receiver of webhooks. Its secret is only returned by `endpoints.secret()`. */
export interface WebhookEndpoint {
  /** `ep_…` */
  readonly id: string;
  readonly url: string;
  /** Whose endpoint it is; only messages sent for this tenant reach it. `null`: the app's own. */
  readonly tenantId: string | null;
  readonly description: string | null;
  /** Event types delivered (exact names or `prefix.*`); `null` delivers every type. */
  readonly eventTypes: readonly string[] | null;
  readonly enabled: boolean;
  readonly disabledReason: WebhookEndpointDisabledReason | null;
  readonly disabledAt: number | null;
  /** Start of the current run of failures (ms); `null` after a success. */
  readonly failingSince: number | null;
  readonly lastSuccessAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One event sent: the same message id goes to every endpoint and every retry. */
export interface WebhookMessage {
  /** `msg_…`: the `webhook-id` header, for the receiver's idempotency. */
  readonly id: string;
  readonly type: string;
  /** The tenant it was sent for (see `WebhookEndpoint.tenantId`). */
  readonly tenantId: string | null;
  readonly payload: Record<string, unknown>;
  /** When it was sent, in milliseconds. */
  readonly timestamp: number;
  readonly idempotencyKey: string | null;
}

/** Where a delivery stands. `failed` means a retry is scheduled; `dead` is final (replayable). */
export type WebhookDeliveryStatus = "pending" | "delivering" | "failed" | "succeeded" | "dead";

/** One message to one endpoint, with its retry state. */
export interface WebhookDelivery {
  /** `dlv_…` */
  readonly id: string;
  readonly messageId: string;
  readonly endpointId: string;
  readonly status: WebhookDeliveryStatus;
  /** Attempts in the current cycle (a replay starts again at 0). */
  readonly attempts: number;
  /** When the next attempt is due (while `delivering`: when the lease ends), in ms. */
  readonly nextAttemptAt: number;
  readonly lastAttemptAt: number | null;
  readonly lastStatusCode: number | null;
  /** The error kind of the last failed attempt, or why the delivery died. */
  readonly lastError: string | null;
  readonly succeededAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Why an attempt failed. `ssrf`: the address was refused and no connection was made. */
export type WebhookAttemptErrorKind = "timeout" | "network" | "redirect" | "http_status" | "ssrf";

/** One HTTP attempt of a delivery. */
export interface WebhookAttempt {
  readonly id: string;
  readonly deliveryId: string;
  readonly endpointId: string;
  /** The response status, or `null` when none arrived. */
  readonly statusCode: number | null;
  /** `null` when the attempt succeeded. */
  readonly errorKind: WebhookAttemptErrorKind | null;
  /** A short reason (`ECONNREFUSED`, `HTTP 500`, `address in a loopback range`, …); `null` on success. */
  readonly errorDetail: string | null;
  readonly latencyMs: number;
  /** The first KiB of the response body, as text. */
  readonly responseExcerpt: string | null;
  /** When it started, in ms. */
  readonly at: number;
}

/** A resolved address, as `dns.promises.lookup(host, { all: true })` gives them. */
export interface WebhookLookupAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to its addresses (every one is checked before connecting). */
export type WebhookLookup = (hostname: string) => Promise<readonly WebhookLookupAddress[]>;
