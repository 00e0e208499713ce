/**
 * Internal: what the parts of the sender share — parsed options, the secret
 * box, the address policy — and the record-to-public conversions.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { type Clock, type EventBus, systemClock } from "@gatehouse/core";
import type { RecordStore, StoredRecord } from "@gatehouse/core/store";
import type {
  webhookAttemptModel,
  webhookDeliveryModel,
  webhookEndpointModel,
  webhookMessageModel,
} from "./models.js";
import type { ParsedSenderOptions } from "./options.js";
import { createSecretBox, type SecretBox } from "./secret-box.js";
import { type AddressPolicy, addressPolicy, defaultLookup } from "./ssrf.js";
import type {
  WebhookAttempt,
  WebhookAttemptErrorKind,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointDisabledReason,
  WebhookLookup,
  WebhookMessage,
} from "./types.js";

export type EndpointRecord = StoredRecord<typeof webhookEndpointModel>;
export type MessageRecord = StoredRecord<typeof webhookMessageModel>;
export type DeliveryRecord = StoredRecord<typeof webhookDeliveryModel>;
export type AttemptRecord = StoredRecord<typeof webhookAttemptModel>;

/** Everything the sender's parts need. */
export interface SenderContext {
  readonly options: ParsedSenderOptions;
  readonly records: RecordStore;
  readonly clock: Clock;
  readonly box: SecretBox;
  readonly policy: AddressPolicy;
  readonly lookup: WebhookLookup;
  readonly events: EventBus | undefined;
}

/** Builds the context from parsed options. */
export function createContext(options: ParsedSenderOptions): SenderContext {
  return Object.freeze({
    options,
    records: options.records,
    clock: options.clock ?? systemClock,
    box: createSecretBox(options.secrets),
    policy: addressPolicy(options.allowedHosts, options.allowPrivateNetworks),
    lookup: options.lookup ?? defaultLookup,
    events: options.events,
  });
}

/** A new id: `prefix_` and 32 hex digits of randomness. */
export function newId(prefix: "ep" | "msg" | "dlv"): string {
  return `${prefix}_${randomBytes(16).toString("hex")}`;
}

/**
 * The id of the delivery of `messageId` to `endpointId`: derived, so writing
 * it twice (a retried send, a finished fan-out) is a `store_duplicate`, not a
 * second delivery.
 */
export function deliveryId(messageId: string, endpointId: string): string {
  return `dlv_${messageId.slice(4)}_${endpointId.slice(3)}`;
}

/** The attempt log id of attempt `seq` of a delivery. */
export function attemptId(deliveryId: string, seq: number): string {
  return `atmpt_${deliveryId.slice(4)}_${seq}`;
}

export function toEndpoint(r: EndpointRecord): WebhookEndpoint {
  return Object.freeze({
    id: r.id,
    url: r.url,
    tenantId: r.tenantId,
    description: r.description,
    eventTypes: Array.isArray(r.eventTypes) ? Object.freeze([...(r.eventTypes as string[])]) : null,
    enabled: r.enabled,
    disabledReason: r.disabledReason as WebhookEndpointDisabledReason | null,
    disabledAt: r.disabledAt,
    failingSince: r.failingSince,
    lastSuccessAt: r.lastSuccessAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
}

export function toMessage(r: MessageRecord): WebhookMessage {
  return Object.freeze({
    id: r.id,
    type: r.type,
    tenantId: r.tenantId,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    timestamp: r.timestamp,
    idempotencyKey: r.idempotencyKey,
  });
}

export function toDelivery(r: DeliveryRecord): WebhookDelivery {
  return Object.freeze({
    id: r.id,
    messageId: r.messageId,
    endpointId: r.endpointId,
    status: r.status as WebhookDeliveryStatus,
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    lastAttemptAt: r.lastAttemptAt,
    lastStatusCode: r.lastStatusCode,
    lastError: r.lastError,
    succeededAt: r.succeededAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
}

export function toAttempt(r: AttemptRecord): WebhookAttempt {
  return Object.freeze({
    id: r.id,
    deliveryId: r.deliveryId,
    endpointId: r.endpointId,
    statusCode: r.statusCode,
    errorKind: r.errorKind as WebhookAttemptErrorKind | null,
    errorDetail: r.errorDetail,
    latencyMs: r.latencyMs,
    responseExcerpt: r.responseExcerpt,
    at: r.at,
  });
}
