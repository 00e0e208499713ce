/**
 * Options of `createWebhookSender()`, validated once at start-up.
 *
 * @packageDocumentation
 */
import { type Clock, type EventBus, parseOptions } from "@gatehouse/core";
import type { RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import { isAllowedHostEntry } from "./ssrf.js";
import type { WebhookLookup } from "./types.js";

/** Options of `createWebhookSender()`. */
export interface WebhookSenderOptions {
  /** Durable storage for endpoints, messages, deliveries and attempts (register `webhookSenderModels`). */
  readonly records: RecordStore;
  /**
   * At least 32 characters of secret randomness: encrypts the endpoint
   * secrets at rest. Give a list to rotate: the first encrypts, all decrypt.
   */
  readonly secret: string | readonly string[];
  /** @default the system clock */
  readonly clock?: Clock;
  /** Where `webhook.endpoint_disabled` and `webhook.delivery_dead` go. @default none */
  readonly events?: EventBus;
  /**
   * Seconds to wait before each attempt: `schedule[0]` before the first,
   * `schedule[n]` after the n-th failure; its length is the number of
   * attempts before a delivery is dead. @default [0, 5, 300, 1800, 7200, 18000, 36000, 36000] (Svix's)
   */
  readonly schedule?: readonly number[];
  /**
   * Randomises a retry delay (ms) to spread retries of many deliveries.
   * @default full jitter: a uniform whole number of ms in [0, delay]
   */
  readonly jitter?: (delayMs: number) => number;
  /** Milliseconds an attempt may take, from the DNS lookup to the end of the response. @default 15000 */
  readonly timeoutMs?: number;
  /** Attempt records kept per delivery (the oldest are deleted). @default 50 */
  readonly maxAttemptsLog?: number;
  /**
   * An endpoint whose attempts have failed for this long without a success
   * is disabled (`disabledReason: "failing"`). @default 432000 (5 days)
   */
  readonly disableAfterFailingSec?: number;
  /**
   * Host names, IP addresses or CIDR ranges reachable even though they are
   * private (`["127.0.0.1"]` in tests, `["10.1.0.0/16"]` for an internal
   * receiver). @default []
   */
  readonly allowedHosts?: readonly string[];
  /** Turns SSRF protection off: any address may be reached. Never with user-supplied URLs. @default false */
  readonly allowPrivateNetworks?: boolean;
  /** Resolves host names. @default `dns.promises.lookup(host, { all: true })` */
  readonly lookup?: WebhookLookup;
  /** Largest payload accepted by `send()`, in bytes of JSON. @default 262144 */
  readonly maxPayloadBytes?: number;
  /** The `user-agent` header of deliveries. @default "Gatehouse-Webhooks/1" */
  readonly userAgent?: string;
}

const fn = <T>() => z.custom<T>((v) => typeof v === "function");
const secret = z.string().min(32, "must be at least 32 characters");

const schema = z.strictObject({
  records: z.custom<RecordStore>((v) => typeof (v as RecordStore)?.findOne === "function"),
  secret: z.union([secret, z.array(secret).min(1).max(10)]),
  clock: z.custom<Clock>((v) => typeof (v as Clock)?.now === "function").optional(),
  events: z.custom<EventBus>((v) => typeof (v as EventBus)?.emit === "function").optional(),
  schedule: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(7 * 86_400),
    )
    .min(1)
    .max(50)
    .optional(),
  jitter: fn<(delayMs: number) => number>().optional(),
  timeoutMs: z.number().int().min(1).max(300_000).optional(),
  maxAttemptsLog: z.number().int().min(1).max(1000).optional(),
  disableAfterFailingSec: z
    .number()
    .int()
    .min(1)
    .max(365 * 86_400)
    .optional(),
  allowedHosts: z
    .array(z.string().refine(isAllowedHostEntry, "must be a host name, an IP address or a CIDR"))
    .max(1000)
    .optional(),
  allowPrivateNetworks: z.boolean().optional(),
  lookup: fn<WebhookLookup>().optional(),
  maxPayloadBytes: z
    .number()
    .int()
    .min(2)
    .max(16 * 1_048_576)
    .optional(),
  userAgent: z
    .string()
    .regex(/^[\x20-\x7e]{1,256}$/, "must be 1-256 printable ASCII characters")
    .optional(),
});

/** Svix's retry schedule, in seconds. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  0, 5, 300, 1800, 7200, 18000, 36000, 36000,
]);

/** Parses the options into a new frozen object with every default filled in. */
export function parseSenderOptions(options: WebhookSenderOptions) {
  const o = parseOptions("createWebhookSender()", schema, options);
  return Object.freeze({
    records: o.records,
    secrets: Object.freeze([o.secret].flat()),
    clock: o.clock,
    events: o.events,
    schedule: Object.freeze([...(o.schedule ?? DEFAULT_RETRY_SCHEDULE)]),
    jitter: o.jitter ?? ((delayMs: number) => Math.floor(Math.random() * (delayMs + 1))),
    timeoutMs: o.timeoutMs ?? 15_000,
    maxAttemptsLog: o.maxAttemptsLog ?? 50,
    disableAfterFailingSec: o.disableAfterFailingSec ?? 5 * 86_400,
    allowedHosts: Object.freeze([...(o.allowedHosts ?? [])]),
    allowPrivateNetworks: o.allowPrivateNetworks ?? false,
    lookup: o.lookup,
    maxPayloadBytes: o.maxPayloadBytes ?? 262_144,
    userAgent: o.userAgent ?? "Gatehouse-Webhooks/1",
  });
}

/** The parsed options. */
export type ParsedSenderOptions = ReturnType<typeof parseSenderOptions>;
