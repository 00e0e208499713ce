/**
 * The options of `createWebhookReceiver`, parsed once at start-up.
 *
 * @packageDocumentation
 */
import { type Clock, type EventBus, parseOptions } from "@gatehouse/core";
import type { KeyValueStore } from "@gatehouse/core/store";
import { z } from "zod";
import type { WebhookSchemas } from "./types.js";

/**
 * How long message ids are remembered.
 *
 * @example
 * ```ts
 * createWebhookReceiver({ secrets, kv, idempotency: { ttlSec: 3 * 86_400, lockTtlSec: 120 } });
 * ```
 */
export interface WebhookIdempotencyOptions {
  /**
   * Seconds a processed message id is remembered: a redelivery within it is
   * answered `duplicate` without running handlers. At least twice
   * `toleranceSec`, so a captured delivery cannot be replayed after its id is forgotten.
   * @default 604800 (7 days)
   */
  readonly ttlSec?: number;
  /**
   * Seconds a delivery holds its message id while handlers run. Another
   * delivery of the same message meanwhile gets 409 `webhook_in_progress`; if
   * the process dies, the id is free again after this. Keep it above your
   * slowest handler run.
   * @default 60
   */
  readonly lockTtlSec?: number;
  /**
   * Prefix of the store keys. Give each endpoint its own when several
   * receivers share a store and a sender may reuse message ids across them.
   * @default "webhooks:msg:"
   */
  readonly keyPrefix?: string;
}

/**
 * Options of `createWebhookReceiver`.
 *
 * @example
 * ```ts
 * const options: WebhookReceiverOptions<ClerkEventSchemas> = {
 *   secrets: [process.env.CLERK_WEBHOOK_SECRET!, process.env.CLERK_WEBHOOK_SECRET_OLD!],
 *   kv,
 *   events: bus,
 * };
 * ```
 */
export interface WebhookReceiverOptions<S extends WebhookSchemas> {
  /** The endpoint's `whsec_…` secret, or several while rotating. */
  readonly secrets: string | readonly string[];
  /** Where message ids are recorded: share it between instances. */
  readonly kv: KeyValueStore;
  /** Event schemas by type name. @default clerkEventSchemas */
  readonly schemas?: S;
  /** Seconds a signed timestamp may be off. @default 300 */
  readonly toleranceSec?: number;
  /** Largest body accepted, in bytes. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Where `webhook.received` and `webhook.failed` go. @default none */
  readonly events?: EventBus;
  /** Message-id deduplication. @default { ttlSec: 604800, lockTtlSec: 60 } */
  readonly idempotency?: WebhookIdempotencyOptions;
}

const isSchema = (v: unknown) => typeof (v as z.ZodType | undefined)?.safeParse === "function";

const schema = z
  .strictObject({
    secrets: z.union([z.string(), z.array(z.string()).min(1).max(10)]),
    kv: z.custom<KeyValueStore>(
      (v) =>
        typeof (v as KeyValueStore | undefined)?.setIfAbsent === "function" &&
        typeof (v as KeyValueStore).delete === "function",
      "expected a KeyValueStore",
    ),
    schemas: z
      .custom<WebhookSchemas>(
        (v) =>
          typeof v === "object" &&
          v !== null &&
          !Array.isArray(v) &&
          Object.values(v).every(isSchema),
        "expected an object of zod schemas by event type",
      )
      .optional(),
    toleranceSec: z.number().int().min(1).max(86_400).default(300),
    maxBodyBytes: z.number().int().min(1).optional(),
    clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === "function").optional(),
    events: z
      .custom<EventBus>((v) => typeof (v as EventBus | undefined)?.emit === "function")
      .optional(),
    idempotency: z
      .strictObject({
        ttlSec: z.number().int().min(60).max(31_536_000).default(604_800),
        lockTtlSec: z.number().int().min(1).max(3600).default(60),
        keyPrefix: z
          .string()
          .regex(/^[\x21-\x7e]{1,200}$/, "printable ASCII without spaces")
          .default("webhooks:msg:"),
      })
      .default({ ttlSec: 604_800, lockTtlSec: 60, keyPrefix: "webhooks:msg:" }),
  })
  .refine((o) => o.idempotency.ttlSec >= 2 * o.toleranceSec, {
    path: ["idempotency", "ttlSec"],
    message: "must be at least twice toleranceSec (else a captured delivery could be replayed)",
  })
  .refine((o) => o.idempotency.lockTtlSec < o.idempotency.ttlSec, {
    path: ["idempotency", "lockTtlSec"],
    message: "must be less than ttlSec",
  });

/** The parsed options. */
export type ParsedReceiverOptions = z.output<typeof schema>;

/** Parses the options, naming the bad one in a `config_invalid` error. */
export function parseReceiverOptions(options: unknown): ParsedReceiverOptions {
  return parseOptions("createWebhookReceiver()", schema, options);
}
