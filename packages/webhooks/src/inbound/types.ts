/**
 * The types of the webhook receiver: schema maps, handlers, the context a
 * handler gets, and what `handle()` resolves.
 *
 * @packageDocumentation
 */
import type { z } from "zod";
import type { HeadersLike } from "../headers.js";

/**
 * Event schemas by type name: each validates a whole payload (envelope and
 * `data`) of its type. `clerkEventSchemas` is the default.
 *
 * @example
 * ```ts
 * const schemas = { "invoice.paid": z.looseObject({ type: z.literal("invoice.paid"), data: z.looseObject({ id: z.string() }) }) };
 * ```
 */
export type WebhookSchemas = { readonly [type: string]: z.ZodType };

/**
 * The event a handler of type `K` receives: the output of its schema.
 *
 * @example
 * ```ts
 * type Created = WebhookEventOf<ClerkEventSchemas, "user.created">;
 * ```
 */
export type WebhookEventOf<S extends WebhookSchemas, K extends keyof S> = z.output<S[K]>;

/**
 * An event whose type has no schema: the verified JSON object, untyped but for `type`.
 *
 * @example
 * ```ts
 * receiver.onUnknown((event: UnknownWebhookEvent) => log.info(`unhandled ${event.type}`));
 * ```
 */
export interface UnknownWebhookEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * Any event a receiver with schemas `S` can deliver.
 *
 * @example
 * ```ts
 * receiver.onAny((event: AnyWebhookEvent<ClerkEventSchemas>) => log.info(event.type));
 * ```
 */
export type AnyWebhookEvent<S extends WebhookSchemas> =
  | WebhookEventOf<S, keyof S & string>
  | UnknownWebhookEvent;

/**
 * What a handler knows about the delivery, besides the event.
 *
 * @example
 * ```ts
 * receiver.on("user.created", (event, ctx: WebhookContext) => log.info(`message ${ctx.id}`));
 * ```
 */
export interface WebhookContext {
  /** The message id (`svix-id` / `webhook-id`): the same on every retry of a message. */
  readonly id: string;
  /** The signed timestamp of this delivery attempt, seconds since the epoch. */
  readonly timestamp: number;
  /**
   * The attempt number, when the sender says (a `webhook-attempt` or
   * `svix-attempt` header; Svix and Clerk do not send one). Unsigned: informational only.
   */
  readonly attempt?: number;
}

/**
 * A handler: may be async. Throwing (or rejecting) fails the delivery with
 * `webhook_handler_failed` and releases the message, so the sender's retry
 * runs every handler of the event again: handlers must be idempotent.
 *
 * @example
 * ```ts
 * const welcome: WebhookHandler<ClerkWebhookEvent<"user.created">> = async (event) => {
 *   await mailer.welcome(event.data.id);
 * };
 * ```
 */
export type WebhookHandler<E> = (event: E, ctx: WebhookContext) => void | Promise<void>;

/**
 * What happened to a delivery that `handle()` accepted.
 *
 * @example
 * ```ts
 * const { outcome } = await receiver.handle({ rawBody, headers });
 * ```
 */
export type WebhookOutcome =
  /** Verified, valid, and every handler ran. */
  | "processed"
  /** This message id was already processed: nothing ran. */
  | "duplicate"
  /** No handler listens to this type: nothing ran (the message is still recorded). */
  | "ignored";

/**
 * What `handle()` resolves: the HTTP status to answer (always 200) and what happened.
 *
 * @example
 * ```ts
 * const { status } = await receiver.handle({ rawBody, headers });
 * res.statusCode = status;
 * ```
 */
export interface WebhookResult {
  readonly status: number;
  readonly outcome: WebhookOutcome;
}

/**
 * The request `handle()` needs: the exact bytes received and the headers.
 *
 * @example
 * ```ts
 * await receiver.handle({ rawBody: req.body as Buffer, headers: req.headers });
 * ```
 */
export interface WebhookRequest {
  /** The raw body as received (what the signature covers), never a parsed object. */
  readonly rawBody: string | Uint8Array;
  readonly headers: HeadersLike;
}

/**
 * Receives webhooks for one endpoint: verifies, validates, deduplicates by
 * message id and dispatches to typed handlers. Build it with
 * `createWebhookReceiver`.
 *
 * @example
 * ```ts
 * const receiver: WebhookReceiver<ClerkEventSchemas> = createWebhookReceiver({ secrets, kv });
 * const off = receiver.on("user.deleted", (event) => purge(event.data.id));
 * ```
 */
export interface WebhookReceiver<S extends WebhookSchemas> {
  /**
   * Adds a handler for one event type (a key of the schema map); several run
   * in registration order. Returns a function that removes it.
   */
  on<K extends keyof S & string>(
    type: K,
    handler: WebhookHandler<WebhookEventOf<S, K>>,
  ): () => void;
  /** Adds a handler for event types without a schema; it gets the raw verified object. */
  onUnknown(handler: WebhookHandler<UnknownWebhookEvent>): () => void;
  /** Adds a handler for every event, known or not. */
  onAny(handler: WebhookHandler<AnyWebhookEvent<S>>): () => void;
  /**
   * Verifies and dispatches one delivery. Resolves `{ status: 200, outcome }`;
   * rejects with a `GatehouseError` whose `status` is the answer: 400/413 for
   * a bad delivery (`webhook_*`), 409 `webhook_in_progress`, 500
   * `webhook_handler_failed`, 503 `store_unavailable`.
   */
  handle(request: WebhookRequest): Promise<WebhookResult>;
}
