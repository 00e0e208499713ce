/**
 * Outgoing webhooks: endpoints with their own `whsec_` secrets, a durable
 * outbox, workers that deliver with Standard Webhooks signatures, retries,
 * SSRF protection and replay, and forwarding of the Gatehouse event bus.
 *
 * @packageDocumentation
 */
export type {
  CreateWebhookEndpointInput,
  ListWebhookEndpointsOptions,
  RotateWebhookSecretOptions,
  UpdateWebhookEndpointInput,
  WebhookEndpoints,
} from "./outbound/endpoints.js";
export type { WebhookDeliveryDeadEvent, WebhookEndpointDisabledEvent } from "./outbound/events.js";
export { type ForwardEventsOptions, forwardEvents } from "./outbound/forward.js";
export {
  webhookAttemptModel,
  webhookDeliveryModel,
  webhookEndpointModel,
  webhookMessageModel,
  webhookSenderModels,
} from "./outbound/models.js";
export { DEFAULT_RETRY_SCHEDULE, type WebhookSenderOptions } from "./outbound/options.js";
export type { WebhookDeliveriesQuery } from "./outbound/queries.js";
export type { ReplayWebhookMessageOptions } from "./outbound/replay.js";
export type { WebhookSendOptions } from "./outbound/send.js";
export { createWebhookSender, type WebhookSender } from "./outbound/sender.js";
export type {
  WebhookAttempt,
  WebhookAttemptErrorKind,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointDisabledReason,
  WebhookLookup,
  WebhookLookupAddress,
  WebhookMessage,
} from "./outbound/types.js";
export type { WebhookWorker, WebhookWorkerOptions } from "./outbound/worker.js";
