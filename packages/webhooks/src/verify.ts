/**
 * Verifying an incoming webhook: headers present, body within its limit,
 * timestamp within tolerance, then one of the `v1` signatures equal (in
 * constant time) to the HMAC under one of the secrets — and only then is the
 * body parsed as JSON.
 *
 * Written on `node:crypto` rather than calling `svix`'s `Webhook.verify`,
 * which hashes in JavaScript (fast-sha256) and decodes the secret on every
 * call; svix is kept as the interop oracle in the tests, both ways.
 *
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @packageDocumentation
 */
import { timingSafeEqual } from "node:crypto";
import { type Clock, parseOptions, systemClock } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { z } from "zod";
import { type HeadersLike, readWebhookHeaders } from "./headers.js";
import { parseWebhookSecret } from "./secrets.js";
import { webhookDigest } from "./signature.js";

/** Options of {@link createWebhookVerifier}. */
export interface WebhookVerifierOptions {
  /** The endpoint's `whsec_…` secret, or several while rotating (any one may match). */
  readonly secrets: string | readonly string[];
  /** Seconds a timestamp may be in the past or the future. @default 300 */
  readonly toleranceSec?: number;
  /** Largest body accepted, in bytes. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** @default the system clock */
  readonly clock?: Clock;
}

/** A verified webhook: who sent what, when. */
export interface VerifiedWebhook<T = Record<string, unknown>> {
  /** The message id (`svix-id` / `webhook-id`): the idempotency key. */
  readonly id: string;
  /** The signed timestamp, seconds since the epoch. */
  readonly timestamp: number;
  /** The parsed JSON body. */
  readonly payload: T;
}

/** Verifies webhooks for one endpoint's secrets. Build once with {@link createWebhookVerifier}. */
export interface WebhookVerifier {
  /**
   * Verifies `rawBody` (the exact bytes received) against `headers`. Throws a
   * `GatehouseError`: `webhook_headers_missing`, `webhook_body_too_large`,
   * `webhook_timestamp_invalid`, `webhook_timestamp_expired`,
   * `webhook_signature_invalid` or `webhook_body_invalid`.
   */
  verify(rawBody: string | Uint8Array, headers: HeadersLike): VerifiedWebhook;
}

const schema = z.strictObject({
  secrets: z.union([z.string(), z.array(z.string()).min(1).max(10)]),
  toleranceSec: z.number().int().min(1).max(86_400).optional(),
  maxBodyBytes: z
    .number()
    .int()
    .min(1)
    .max(100 * 1_048_576)
    .optional(),
  clock: z.custom<Clock>((v) => typeof (v as Clock)?.now === "function").optional(),
});

const TIMESTAMP = /^\d{1,12}$/;
/** Bounds the work a hostile signature header can cause. */
const MAX_SIGNATURE_HEADER = 4096;
const MAX_SIGNATURES = 16;

/**
 * Creates a verifier for one endpoint's secrets, parsed once.
 *
 * @example
 * ```ts
 * import { createWebhookVerifier } from "@gatehouse/webhooks";
 *
 * const verifier = createWebhookVerifier({ secrets: process.env.CLERK_WEBHOOK_SECRET! });
 * const { id, payload } = verifier.verify(rawBody, req.headers);
 * ```
 */
export function createWebhookVerifier(options: WebhookVerifierOptions): WebhookVerifier {
  const o = parseOptions("createWebhookVerifier()", schema, options);
  const keys = [o.secrets]
    .flat()
    .map((s, i) => parseWebhookSecret(s, `createWebhookVerifier(): option "secrets" (${i + 1})`));
  const toleranceSec = o.toleranceSec ?? 300;
  const maxBodyBytes = o.maxBodyBytes ?? 1_048_576;
  const clock = o.clock ?? systemClock;

  function signatureMatches(
    header: string,
    id: string,
    timestamp: number,
    body: string | Uint8Array,
  ): boolean {
    if (header.length > MAX_SIGNATURE_HEADER) return false;
    const expected =
      keys.length === 1
        ? [webhookDigest(keys[0]!, id, timestamp, body)]
        : keys.map((key) => webhookDigest(key, id, timestamp, body));
    let seen = 0;
    let match = false;
    let start = 0;
    // Walks the space-separated list without splitting it (one allocation per v1 entry).
    while (start < header.length && seen < MAX_SIGNATURES) {
      let end = header.indexOf(" ", start);
      if (end === -1) end = header.length;
      if (header.startsWith("v1,", start)) {
        seen++;
        const given = Buffer.from(header.slice(start + 3, end), "base64");
        if (given.length === 32) {
          for (const digest of expected) if (timingSafeEqual(digest, given)) match = true;
        }
      }
      start = end + 1;
    }
    return match;
  }

  return Object.freeze({
    verify(rawBody: string | Uint8Array, headers: HeadersLike): VerifiedWebhook {
      const { id, timestamp, signature } = readWebhookHeaders(headers);
      if (!id || !timestamp || !signature) {
        throw new GatehouseError(
          "webhook_headers_missing",
          "The webhook id, timestamp or signature header is missing.",
        );
      }
      if (typeof rawBody !== "string" && !(rawBody instanceof Uint8Array)) {
        throw new GatehouseError(
          "webhook_body_parsed",
          "The webhook body is not the raw bytes received: read it with express.raw() or mount the webhook route before express.json().",
        );
      }
      // A UTF-16 string of n units is at most 3n UTF-8 bytes: count only when that could exceed.
      const size =
        typeof rawBody !== "string"
          ? rawBody.byteLength
          : rawBody.length * 3 <= maxBodyBytes
            ? rawBody.length
            : Buffer.byteLength(rawBody);
      if (size > maxBodyBytes) {
        throw new GatehouseError(
          "webhook_body_too_large",
          `The webhook body exceeds ${maxBodyBytes} bytes.`,
        );
      }
      if (!TIMESTAMP.test(timestamp)) {
        throw new GatehouseError(
          "webhook_timestamp_invalid",
          "The webhook timestamp is not whole seconds.",
        );
      }
      const sent = Number(timestamp);
      const now = Math.floor(clock.now() / 1000);
      if (sent < now - toleranceSec) {
        throw new GatehouseError("webhook_timestamp_expired", "The webhook timestamp is too old.");
      }
      if (sent > now + toleranceSec) {
        throw new GatehouseError(
          "webhook_timestamp_expired",
          "The webhook timestamp is in the future.",
        );
      }
      if (id.length > 256 || !signatureMatches(signature, id, sent, rawBody)) {
        throw new GatehouseError("webhook_signature_invalid", "No webhook signature matches.");
      }
      let payload: unknown;
      try {
        payload = JSON.parse(
          typeof rawBody === "string"
            ? rawBody
            : // A view over the same bytes, not a copy.
              Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString("utf8"),
        );
      } catch {
        throw new GatehouseError("webhook_body_invalid", "The webhook body is not JSON.");
      }
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
        throw new GatehouseError("webhook_body_invalid", "The webhook body is not a JSON object.");
      }
      return { id, timestamp: sent, payload: payload as Record<string, unknown> };
    },
  });
}

const verifiers = new Map<string, WebhookVerifier>();

/**
 * Verifies one webhook with `secrets` (see {@link WebhookVerifier.verify}).
 * Verifiers are memoised per secret list (bounded), so calling this per
 * request costs no secret parsing.
 *
 * @example
 * ```ts
 * const { id, payload } = verifyWebhook(rawBody, req.headers, process.env.CLERK_WEBHOOK_SECRET!);
 * ```
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: HeadersLike,
  secrets: string | readonly string[],
  options: Omit<WebhookVerifierOptions, "secrets"> = {},
): VerifiedWebhook {
  if (options.clock !== undefined)
    return createWebhookVerifier({ ...options, secrets }).verify(rawBody, headers);
  const key = JSON.stringify([secrets, options.toleranceSec, options.maxBodyBytes]);
  let verifier = verifiers.get(key);
  if (verifier === undefined) {
    verifier = createWebhookVerifier({ ...options, secrets });
    if (verifiers.size >= 64) verifiers.delete(verifiers.keys().next().value as string);
    verifiers.set(key, verifier);
  }
  return verifier.verify(rawBody, headers);
}
