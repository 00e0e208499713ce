/**
 * Reading the outbox: messages, deliveries (filtered, newest first, paged)
 * and the attempt log of a delivery.
 *
 * @packageDocumentation
 */
import { parseInput } from "@gatehouse/core";
import type { Page } from "@gatehouse/core/store";
import { z } from "zod";
import { type SenderContext, toAttempt, toDelivery, toMessage } from "./context.js";
import { webhookAttemptModel, webhookDeliveryModel, webhookMessageModel } from "./models.js";
import type {
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookMessage,
} from "./types.js";

/** Filters and paging of `sender.deliveries()`. */
export interface WebhookDeliveriesQuery {
  readonly endpointId?: string;
  readonly messageId?: string;
  readonly status?: WebhookDeliveryStatus;
  /** @default 50 (at most 1000) */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

const id = z.string().min(1).max(128);
const querySchema = z.strictObject({
  endpointId: id.optional(),
  messageId: id.optional(),
  status: z.enum(["pending", "delivering", "failed", "succeeded", "dead"]).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2048).optional(),
});

/** The read side of a sender. */
export function createQueries(ctx: SenderContext) {
  return {
    /** A message by id, or `undefined`. */
    async message(messageId: string): Promise<WebhookMessage | undefined> {
      if (typeof messageId !== "string") return undefined;
      const message = await ctx.records.findOne(webhookMessageModel, { id: messageId });
      return message === undefined ? undefined : toMessage(message);
    },

    /** Deliveries matching every filter given, newest first. */
    async deliveries(query: WebhookDeliveriesQuery = {}): Promise<Page<WebhookDelivery>> {
      const q = parseInput("deliveries()", querySchema, query);
      const page = await ctx.records.findMany(webhookDeliveryModel, {
        where: { endpointId: q.endpointId, messageId: q.messageId, status: q.status },
        orderBy: { field: "createdAt", direction: "desc" },
        limit: q.limit,
        cursor: q.cursor,
      });
      return { items: page.items.map(toDelivery), nextCursor: page.nextCursor };
    },

    /** The logged attempts of a delivery, oldest first (the last `maxAttemptsLog`). */
    async attempts(deliveryId: string): Promise<WebhookAttempt[]> {
      if (typeof deliveryId !== "string") return [];
      const page = await ctx.records.findMany(webhookAttemptModel, {
        where: { deliveryId },
        orderBy: { field: "seq", direction: "asc" },
        limit: Math.min(1000, ctx.options.maxAttemptsLog + 1),
      });
      return page.items.map(toAttempt);
    },
  };
}
