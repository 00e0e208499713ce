/**
 * The RecordStore models of outgoing webhooks. Register them with your
 * adapter (`createSqliteStore(file, { models: webhookSenderModels })`) and migrate.
 *
 * @packageDocumentation
 */
import { defineModel } from "@gatehouse/core/store";

/** A receiver of webhooks (`gh_webhook_endpoint`): where, which events, and its signing secrets (sealed). */
export const webhookEndpointModel = defineModel({
  name: "gh_webhook_endpoint",
  fields: {
    url: { type: "string", required: true },
    /** Whose endpoint it is (your customer, organization, app): only messages sent for this tenant reach it. */
    tenantId: { type: "string", indexed: true },
    description: { type: "string" },
    /** Event types delivered (exact names or `prefix.*`); null delivers every type. */
    eventTypes: { type: "json" },
    enabled: { type: "boolean", required: true, indexed: true },
    /** `manual`, `gone` (the receiver answered 410) or `failing`. */
    disabledReason: { type: "string" },
    disabledAt: { type: "timestamp" },
    /** The `whsec_` secret, AES-256-GCM sealed under the sender's `secret`. */
    secret: { type: "string", required: true },
    /** The secret replaced by the last rotation, sealed; signs too until `previousSecretExpiresAt`. */
    previousSecret: { type: "string" },
    previousSecretExpiresAt: { type: "timestamp" },
    /** Start of the current run of failed attempts; null after a success. */
    failingSince: { type: "timestamp" },
    lastSuccessAt: { type: "timestamp" },
  },
});

/** One event sent (`gh_webhook_message`): its type and exact body, shared by its deliveries. */
export const webhookMessageModel = defineModel({
  name: "gh_webhook_message",
  fields: {
    type: { type: "string", required: true, indexed: true },
    /** The tenant it was sent for; `null` reaches only endpoints without a tenant. */
    tenantId: { type: "string" },
    /** The JSON body as sent, byte for byte (so every retry signs the same bytes). */
    payload: { type: "string", required: true },
    /** When `send()` was called, in milliseconds. */
    timestamp: { type: "timestamp", required: true },
    /** A repeated `send()` with the same key returns this message. */
    idempotencyKey: { type: "string", unique: true },
    /** Whether every delivery record was written; a worker finishes the fan-out otherwise. */
    dispatched: { type: "boolean", required: true, indexed: true },
  },
});

/** One message to one endpoint (`gh_webhook_delivery`): the outbox row a worker claims. */
export const webhookDeliveryModel = defineModel({
  name: "gh_webhook_delivery",
  fields: {
    messageId: { type: "string", required: true, indexed: true },
    endpointId: { type: "string", required: true, indexed: true },
    /** `pending`, `delivering` (leased), `failed` (retry scheduled), `succeeded` or `dead`. */
    status: { type: "string", required: true, indexed: true },
    /** Attempts in the current cycle (a replay starts a new cycle at 0). */
    attempts: { type: "integer", required: true },
    /** Attempts ever made, across replays: numbers the attempt log. */
    totalAttempts: { type: "integer", required: true },
    /** When the next attempt is due; while `delivering`, when the lease ends. */
    nextAttemptAt: { type: "timestamp", required: true, indexed: true },
    lastAttemptAt: { type: "timestamp" },
    lastStatusCode: { type: "integer" },
    /** The error kind or reason of the last failure. */
    lastError: { type: "string" },
    succeededAt: { type: "timestamp" },
  },
});

/** One HTTP attempt of a delivery (`gh_webhook_attempt`): outcome, latency and a response excerpt. */
export const webhookAttemptModel = defineModel({
  name: "gh_webhook_attempt",
  fields: {
    deliveryId: { type: "string", required: true, indexed: true },
    endpointId: { type: "string", required: true, indexed: true },
    /** The delivery's `totalAttempts` when it was made: orders the log. */
    seq: { type: "integer", required: true },
    statusCode: { type: "integer" },
    /** `timeout`, `network`, `redirect`, `http_status` or `ssrf`; null on success. */
    errorKind: { type: "string" },
    /** A short reason without credentials: `ECONNREFUSED`, `HTTP 500`, `address in a private range`, … */
    errorDetail: { type: "string" },
    latencyMs: { type: "integer", required: true },
    /** The first KiB of the response body, as text. */
    responseExcerpt: { type: "string" },
    at: { type: "timestamp", required: true },
  },
});

/** Every model of the webhook sender, for your store's `models` option. */
export const webhookSenderModels = Object.freeze([
  webhookEndpointModel,
  webhookMessageModel,
  webhookDeliveryModel,
  webhookAttemptModel,
] as const);
