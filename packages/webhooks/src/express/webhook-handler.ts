import type { IncomingMessage, ServerResponse } from "node:http";
import { parseOptions } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import type { Middleware } from "@gatehouse/express";
import { z } from "zod";
import type { WebhookReceiver, WebhookSchemas } from "../inbound/types.js";
import { readRawBody } from "./raw-body.js";

/** What {@link webhookHandler} uses of a receiver (any schemas): `handle()`. */
export type WebhookHandlerTarget = Pick<WebhookReceiver<WebhookSchemas>, "handle">;

/** Options of {@link webhookHandler}. */
export interface WebhookHandlerOptions {
  /**
   * Largest body read, in bytes. A larger one is refused with 413 as soon as
   * its `Content-Length` (or its running size, when chunked) says so, without
   * reading the rest, and the connection is closed.
   *
   * @default 1048576 (1 MiB, the verifier's default)
   */
  readonly maxBodyBytes?: number;
}

const schema = z
  .strictObject({
    maxBodyBytes: z
      .number()
      .int()
      .min(1)
      .max(100 * 1_048_576)
      .optional(),
  })
  .optional();

function answer(res: ServerResponse, status: number, outcome: string): void {
  res.statusCode = status;
  res.setHeader("cache-control", "no-store");
  if (status === 204 || status === 304) {
    res.end();
    return;
  }
  const text = JSON.stringify({ outcome });
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", String(Buffer.byteLength(text)));
  res.end(text);
}

function assertReceiver(receiver: unknown): asserts receiver is WebhookHandlerTarget {
  if (typeof (receiver as WebhookHandlerTarget | null)?.handle !== "function") {
    throw new GatehouseError(
      "config_invalid",
      "webhookHandler(): expected the receiver from createWebhookReceiver().",
    );
  }
}

/**
 * The route handler of a webhook receiver: reads the exact body (bounded),
 * hands it with the headers to `receiver.handle()`, and answers its status
 * (200 or 204 for processed, duplicate and ignored deliveries, with a small
 * JSON body `{ "outcome": … }`). Errors go to `next(err)`, for
 * `errorHandler()` of `@gatehouse/express` to render as problem+json: 400 bad
 * headers, signature, timestamp or body; 413 too large; 415 not JSON; 409
 * the same message in progress; 500 a handler failed (the sender retries);
 * 503 the store is down; 500 `webhook_body_parsed` when `express.json()` ran
 * first.
 *
 * Mount it on the POST route **before** any app-wide `express.json()`. It
 * also accepts a body a raw parser kept: `express.raw({ type: "application/json" })`
 * (`req.body` is a Buffer) or `express.json({ verify })` storing `req.rawBody`.
 * Works under Express 4 and 5, Connect and `node:http`; other methods than
 * POST go to `next()`.
 *
 * @param receiver - From `createWebhookReceiver()`.
 * @param options - See {@link WebhookHandlerOptions}.
 * @returns A named `(req, res, next)` handler.
 * @throws GatehouseError `config_invalid` at start-up for a bad receiver or option.
 * @example
 * ```ts
 * import { webhookHandler } from "@gatehouse/webhooks/express";
 *
 * app.post("/webhooks/clerk", webhookHandler(receiver));
 * app.use(express.json()); // after the webhook route
 * app.use(errorHandler());
 * ```
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
export function webhookHandler(
  receiver: WebhookHandlerTarget,
  options?: WebhookHandlerOptions,
): Middleware {
  assertReceiver(receiver);
  const maxBodyBytes = parseOptions("webhookHandler()", schema, options)?.maxBodyBytes ?? 1_048_576;

  return function webhookHandler(req: IncomingMessage, res: ServerResponse, next) {
    if (req.method !== "POST") return next();
    readRawBody(req, maxBodyBytes)
      .then((rawBody) => receiver.handle({ rawBody, headers: req.headers }))
      .then(({ status, outcome }) => answer(res, status, outcome))
      .catch((err: unknown) => {
        // A body left unread (too large, refused early) is not drained: close after answering.
        if (!req.readableEnded && !res.headersSent) res.setHeader("connection", "close");
        next(err);
      });
  };
}
