/**
 * Sending: the message and one delivery per matching enabled endpoint are
 * written before `send()` resolves (the outbox), so a crash after it loses
 * nothing; workers deliver them. Delivery ids derive from the message and the
 * endpoint, so finishing an interrupted fan-out twice writes nothing twice.
 *
 * @packageDocumentation
 */
import { parseInput } from "@gatehouse/core";
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import { z } from "zod";
import {
  deliveryId,
  type EndpointRecord,
  type MessageRecord,
  newId,
  type SenderContext,
  toMessage,
} from "./context.js";
import { EVENT_TYPE, matchesEventType } from "./event-types.js";
import { webhookDeliveryModel, webhookEndpointModel, webhookMessageModel } from "./models.js";
import type { WebhookMessage } from "./types.js";

/** Options of `send()`. */
export interface WebhookSendOptions {
  /**
   * Makes `send()` safe to retry: a later call with the same key returns the
   * first message (whatever its type and payload) and sends nothing new.
   */
  readonly idempotencyKey?: string;
  /**
   * The tenant this event belongs to: it reaches only that tenant's endpoints.
   * Without it, only endpoints without a tenant (the app's own) receive it.
   */
  readonly tenantId?: string;
}

const optionsSchema = z.strictObject({
  idempotencyKey: z
    .string()
    .regex(/^[\x20-\x7e]{1,256}$/, "must be 1-256 printable ASCII characters")
    .optional(),
  tenantId: z.string().min(1).max(255).optional(),
});

const duplicate = (error: unknown) => isGatehouseError(error) && error.code === "store_duplicate";

/** Every enabled endpoint of `tenantId` subscribed to `type`. */
export async function subscribers(
  ctx: SenderContext,
  type: string,
  tenantId: string | null,
): Promise<EndpointRecord[]> {
  const out: EndpointRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.records.findMany(webhookEndpointModel, {
      where: { enabled: true, tenantId },
      limit: 500,
      cursor,
    });
    for (const endpoint of page.items) {
      const filters = Array.isArray(endpoint.eventTypes) ? (endpoint.eventTypes as string[]) : null;
      if (matchesEventType(filters, type)) out.push(endpoint);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

/**
 * Writes the deliveries of `message` to the endpoints subscribed now (those
 * already written are kept), then marks the message dispatched.
 */
export async function fanOut(ctx: SenderContext, message: MessageRecord): Promise<void> {
  const endpoints = await subscribers(ctx, message.type, message.tenantId);
  const firstAt = message.timestamp + ctx.options.schedule[0]! * 1000;
  for (let i = 0; i < endpoints.length; i += 16) {
    await Promise.all(
      endpoints.slice(i, i + 16).map((endpoint) =>
        ctx.records
          .create(webhookDeliveryModel, {
            id: deliveryId(message.id, endpoint.id),
            messageId: message.id,
            endpointId: endpoint.id,
            status: "pending",
            attempts: 0,
            totalAttempts: 0,
            nextAttemptAt: firstAt,
          })
          .catch((error: unknown) => {
            if (!duplicate(error)) throw error;
          }),
      ),
    );
  }
  await ctx.records.update(webhookMessageModel, message.id, { dispatched: true });
}

/** Finishes the fan-out of messages whose `send()` stopped half-way (older than `graceMs`). */
export async function finishInterruptedSends(ctx: SenderContext, graceMs: number): Promise<number> {
  const page = await ctx.records.findMany(webhookMessageModel, {
    where: { dispatched: false },
    limit: 20,
  });
  let finished = 0;
  for (const message of page.items) {
    if (message.timestamp > ctx.clock.now() - graceMs) continue;
    await fanOut(ctx, message);
    finished++;
  }
  return finished;
}

/** Checks the payload and returns its JSON text. */
function serialise(ctx: SenderContext, payload: unknown): string {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new GatehouseError("input_invalid", "send(): the payload must be a JSON object.");
  }
  let body: string;
  try {
    body = JSON.stringify(payload);
  } catch {
    throw new GatehouseError("input_invalid", "send(): the payload cannot be serialised to JSON.");
  }
  if (Buffer.byteLength(body) > ctx.options.maxPayloadBytes) {
    throw new GatehouseError(
      "webhook_body_too_large",
      `send(): the payload exceeds ${ctx.options.maxPayloadBytes} bytes of JSON.`,
    );
  }
  return body;
}

/** The message an idempotency key already produced (its fan-out finished), if any. */
async function existing(ctx: SenderContext, key: string): Promise<WebhookMessage | undefined> {
  const message = await ctx.records.findOne(webhookMessageModel, { idempotencyKey: key });
  if (message === undefined) return undefined;
  if (!message.dispatched) await fanOut(ctx, message);
  return toMessage(message);
}

/** The `send()` of a sender. */
export function createSend(ctx: SenderContext) {
  return async function send(
    type: string,
    payload: Record<string, unknown>,
    options: WebhookSendOptions = {},
  ): Promise<WebhookMessage> {
    if (typeof type !== "string" || !EVENT_TYPE.test(type)) {
      throw new GatehouseError(
        "input_invalid",
        "send(): the event type must be 1-128 of A-Z a-z 0-9 . _ : -",
      );
    }
    const { idempotencyKey, tenantId } = parseInput("send()", optionsSchema, options);
    const body = serialise(ctx, payload);
    if (idempotencyKey !== undefined) {
      const first = await existing(ctx, idempotencyKey);
      if (first !== undefined) return first;
    }
    let message: MessageRecord;
    try {
      message = await ctx.records.create(webhookMessageModel, {
        id: newId("msg"),
        type,
        tenantId: tenantId ?? null,
        payload: body,
        timestamp: ctx.clock.now(),
        idempotencyKey: idempotencyKey ?? null,
        dispatched: false,
      });
    } catch (error) {
      // Another send with the same key won the race.
      if (idempotencyKey !== undefined && duplicate(error)) {
        const first = await existing(ctx, idempotencyKey);
        if (first !== undefined) return first;
      }
      throw error;
    }
    await fanOut(ctx, message);
    return toMessage(message);
  };
}
