/**
 * Receiving webhooks: verify the signature, validate the payload against the
 * schema of its `type`, process each message id at most once (across
 * instances, through the KeyValueStore), and run the typed handlers.
 *
 * @packageDocumentation
 */
import { configError, GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import { type ClerkEventSchemas, clerkEventSchemas } from "../clerk/events.js";
import type { HeadersLike } from "../headers.js";
import { createWebhookVerifier } from "../verify.js";
import type { WebhookFailedEvent, WebhookReceivedEvent } from "./events.js";
import { ANY, createHandlerRegistry, UNKNOWN } from "./handlers.js";
import { createMessageLedger } from "./idempotency.js";
import { parseReceiverOptions, type WebhookReceiverOptions } from "./options.js";
import type {
  WebhookContext,
  WebhookReceiver,
  WebhookRequest,
  WebhookResult,
  WebhookSchemas,
} from "./types.js";
import { validateEvent } from "./validate.js";

const ATTEMPT = /^[1-9]\d{0,3}$/;

function readAttempt(headers: HeadersLike): number | undefined {
  for (const name of ["webhook-attempt", "svix-attempt"]) {
    const value =
      typeof (headers as { get?: unknown }).get === "function"
        ? (headers as { get(name: string): string | null }).get(name)
        : (headers as Record<string, unknown>)[name];
    if (typeof value === "string" && ATTEMPT.test(value)) return Number(value);
  }
  return undefined;
}

/**
 * Creates a receiver for one webhook endpoint. By default it knows Clerk's
 * events (`clerkEventSchemas`), so `on("user.created", …)` is typed.
 *
 * Each delivery is verified (Svix / Standard Webhooks signature, timestamp
 * tolerance, size), its payload checked against the schema of its `type`
 * (400 `webhook_body_invalid` if it does not fit; no handler runs), and its
 * message id claimed in `kv`: a message already processed is answered 200
 * `duplicate`, one being processed elsewhere 409 `webhook_in_progress` (the
 * sender retries), and a handler failure releases the id and answers 500
 * `webhook_handler_failed`, so the retry runs again. Handlers therefore run
 * at least once per message and, while the id is remembered, not again after
 * success: make them idempotent.
 *
 * @example
 * ```ts
 * import { createWebhookReceiver } from "@gatehouse/webhooks";
 *
 * const receiver = createWebhookReceiver({ secrets: process.env.CLERK_WEBHOOK_SECRET!, kv });
 * receiver.on("user.created", async (event) => {
 *   await sendWelcome(event.data.email_addresses[0]?.email_address);
 * });
 * // in a route, with the raw body:
 * const { status } = await receiver.handle({ rawBody: req.body, headers: req.headers });
 * ```
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @see https://docs.svix.com/receiving/verifying-payloads/how-manual
 */
export function createWebhookReceiver<S extends WebhookSchemas = ClerkEventSchemas>(
  options: WebhookReceiverOptions<S>,
): WebhookReceiver<S> {
  const o = parseReceiverOptions(options);
  const schemas = (o.schemas ?? clerkEventSchemas) as WebhookSchemas;
  const verifier = createWebhookVerifier({
    secrets: o.secrets,
    toleranceSec: o.toleranceSec,
    ...(o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes }),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  });
  const ledger = createMessageLedger(o.kv, {
    ttlMs: o.idempotency.ttlSec * 1000,
    lockTtlMs: o.idempotency.lockTtlSec * 1000,
    keyPrefix: o.idempotency.keyPrefix,
  });
  const registry = createHandlerRegistry();
  const known = (type: string) => Object.hasOwn(schemas, type);
  const checkHandler = (handler: unknown) => {
    if (typeof handler !== "function")
      configError("WebhookReceiver", "a handler must be a function");
  };

  async function run(request: WebhookRequest, trace: { id: string | null; type: string | null }) {
    if (typeof request !== "object" || request === null || request.headers == null) {
      configError("WebhookReceiver.handle()", "expected { rawBody, headers }");
    }
    const { id, timestamp, payload } = verifier.verify(request.rawBody, request.headers);
    trace.id = id;
    const type = payload.type;
    if (typeof type !== "string" || type.length === 0 || type.length > 128) {
      throw new GatehouseError("webhook_body_invalid", "The webhook payload has no valid `type`.");
    }
    trace.type = type;
    const isKnown = known(type);
    const handlers = registry.matching(type, isKnown);
    // Validated only when something will read it: an event nobody handles is never refused.
    const event = handlers.length > 0 && isKnown ? validateEvent(schemas[type]!, payload) : payload;

    const claim = await ledger.claim(id);
    if (claim === "done") return "duplicate" as const;
    if (claim === "busy") {
      throw new GatehouseError(
        "webhook_in_progress",
        "This webhook message is being processed; retry later.",
      );
    }
    const attempt = readAttempt(request.headers);
    const ctx: WebhookContext = Object.freeze(
      attempt === undefined ? { id, timestamp } : { id, timestamp, attempt },
    );
    try {
      for (const handler of handlers) await handler(event, ctx);
    } catch (cause) {
      await ledger.release(id);
      const outage = isGatehouseError(cause) && cause.code === "store_unavailable";
      throw new GatehouseError(
        "webhook_handler_failed",
        "A webhook handler failed; the message was released so the sender's retry runs it again.",
        { cause, ...(outage ? { status: 503 } : {}) },
      );
    }
    await ledger.complete(id);
    return handlers.length > 0 ? ("processed" as const) : ("ignored" as const);
  }

  return Object.freeze({
    on(type: string, handler: unknown) {
      if (typeof type !== "string" || !known(type)) {
        configError("WebhookReceiver.on()", `no schema for event type ${JSON.stringify(type)}`);
      }
      checkHandler(handler);
      return registry.add(type, handler as never);
    },
    onUnknown(handler: unknown) {
      checkHandler(handler);
      return registry.add(UNKNOWN, handler as never);
    },
    onAny(handler: unknown) {
      checkHandler(handler);
      return registry.add(ANY, handler as never);
    },
    async handle(request: WebhookRequest): Promise<WebhookResult> {
      const trace: { id: string | null; type: string | null } = { id: null, type: null };
      try {
        const outcome = await run(request, trace);
        o.events?.emit("webhook.received", {
          messageId: trace.id!,
          type: trace.type!,
          outcome,
        } satisfies WebhookReceivedEvent);
        return { status: 200, outcome };
      } catch (error) {
        if (o.events !== undefined) {
          const gh = isGatehouseError(error);
          o.events.emit("webhook.failed", {
            messageId: trace.id,
            type: trace.type,
            code: gh ? error.code : "webhook_handler_failed",
            status: gh ? error.status : 500,
          } satisfies WebhookFailedEvent);
        }
        throw error;
      }
    },
  }) as WebhookReceiver<S>;
}
