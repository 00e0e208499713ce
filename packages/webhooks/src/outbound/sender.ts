/**
 * `createWebhookSender()`: outgoing webhooks with Standard Webhooks
 * signatures and a durable outbox — endpoints, send, workers, the delivery
 * and attempt log, replay.
 *
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @packageDocumentation
 */
import type { Page } from "@gatehouse/core/store";
import { createContext } from "./context.js";
import { createEndpoints, type WebhookEndpoints } from "./endpoints.js";
import { parseSenderOptions, type WebhookSenderOptions } from "./options.js";
import { createQueries, type WebhookDeliveriesQuery } from "./queries.js";
import { createReplay, type ReplayWebhookMessageOptions } from "./replay.js";
import { createSend, type WebhookSendOptions } from "./send.js";
import type { WebhookAttempt, WebhookDelivery, WebhookMessage } from "./types.js";
import { createWorker, type WebhookWorker, type WebhookWorkerOptions } from "./worker.js";

/** A webhook sender. Build once with {@link createWebhookSender}. */
export interface WebhookSender {
  /** Manage endpoints and their secrets. */
  readonly endpoints: WebhookEndpoints;
  /**
   * Stores a message and its deliveries (one per enabled endpoint subscribed
   * to `type`) and resolves once they are durable; a worker delivers them.
   * `input_invalid` for a bad type or a payload that is not a JSON object,
   * `webhook_body_too_large` beyond `maxPayloadBytes`. A rejected send may
   * still have been stored: retry with the same `idempotencyKey`.
   */
  send(
    type: string,
    payload: Record<string, unknown>,
    options?: WebhookSendOptions,
  ): Promise<WebhookMessage>;
  /** A worker on this sender's store (several may run, in several processes). */
  worker(options?: WebhookWorkerOptions): WebhookWorker;
  /** A message by id, or `undefined`. */
  message(id: string): Promise<WebhookMessage | undefined>;
  /** Deliveries matching every filter given, newest first. */
  deliveries(query?: WebhookDeliveriesQuery): Promise<Page<WebhookDelivery>>;
  /** The logged attempts of a delivery, oldest first. */
  attempts(deliveryId: string): Promise<WebhookAttempt[]>;
  /** Starts a new cycle of attempts of a dead or succeeded delivery. */
  replay(deliveryId: string): Promise<WebhookDelivery>;
  /** Sends a message again to one endpoint, or to every endpoint subscribed now. */
  replayMessage(
    messageId: string,
    options?: ReplayWebhookMessageOptions,
  ): Promise<WebhookDelivery[]>;
}

/**
 * Creates a webhook sender on a RecordStore.
 *
 * Deliveries are signed like Svix (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), retried on Svix's schedule with jitter, refused
 * before connecting when the endpoint resolves to a private address (SSRF),
 * and never follow redirects.
 *
 * @example
 * ```ts
 * import { createWebhookSender, webhookSenderModels } from "@gatehouse/webhooks";
 *
 * const store = createSqliteStore("app.db", { models: [...webhookSenderModels] });
 * await store.migrate();
 * const sender = createWebhookSender({ records: store.records, secret: process.env.WEBHOOK_KEY! });
 * const endpoint = await sender.endpoints.create({ url: "https://example.com/hooks", eventTypes: ["user.*"] });
 * await sender.send("user.created", { id: "user_1" });
 * sender.worker().start();
 * ```
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const ctx = createContext(parseSenderOptions(options));
  const queries = createQueries(ctx);
  const replay = createReplay(ctx);
  return Object.freeze({
    endpoints: createEndpoints(ctx),
    send: createSend(ctx),
    worker: (workerOptions?: WebhookWorkerOptions) => createWorker(ctx, workerOptions),
    message: queries.message,
    deliveries: queries.deliveries,
    attempts: queries.attempts,
    replay: replay.replay,
    replayMessage: replay.replayMessage,
  });
}
