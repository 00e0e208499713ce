/**
 * Replay: a finished delivery (dead or succeeded) starts a new cycle of
 * attempts; a message goes again to one endpoint or to every endpoint
 * subscribed to its type now.
 *
 * @packageDocumentation
 */
import { parseInput } from "@gatehouse/core";
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import { z } from "zod";
import {
  type DeliveryRecord,
  deliveryId,
  type EndpointRecord,
  type MessageRecord,
  type SenderContext,
  toDelivery,
} from "./context.js";
import { webhookDeliveryModel, webhookEndpointModel, webhookMessageModel } from "./models.js";
import { subscribers } from "./send.js";
import type { WebhookDelivery } from "./types.js";

/** Options of `sender.replayMessage()`. */
export interface ReplayWebhookMessageOptions {
  /** Only to this endpoint (even if it is no longer subscribed to the type). @default every subscribed enabled endpoint */
  readonly endpointId?: string;
}

const optionsSchema = z.strictObject({ endpointId: z.string().min(1).max(128).optional() });
const FINISHED = new Set(["dead", "succeeded"]);

/** The replay operations of a sender. */
export function createReplay(ctx: SenderContext) {
  const { records } = ctx;

  async function restart(delivery: DeliveryRecord): Promise<DeliveryRecord> {
    return records.update(
      webhookDeliveryModel,
      delivery.id,
      {
        status: "pending",
        attempts: 0,
        nextAttemptAt: ctx.clock.now(),
        lastError: null,
        lastStatusCode: null,
        succeededAt: null,
      },
      { expectedVersion: delivery.version },
    );
  }

  async function enabledEndpoint(id: string): Promise<EndpointRecord> {
    const endpoint = await records.findOne(webhookEndpointModel, { id });
    if (endpoint === undefined) {
      throw new GatehouseError("not_found", "No webhook endpoint has this id.");
    }
    if (!endpoint.enabled) {
      throw new GatehouseError(
        "input_invalid",
        "replay: the endpoint is disabled; enable it first.",
      );
    }
    return endpoint;
  }

  /** Replays `message` to `endpoint`: a new delivery, or a finished one restarted; one in progress is left alone. */
  async function toEndpoint(message: MessageRecord, endpoint: EndpointRecord) {
    const id = deliveryId(message.id, endpoint.id);
    const existing = await records.findOne(webhookDeliveryModel, { id });
    if (existing !== undefined) return FINISHED.has(existing.status) ? restart(existing) : existing;
    try {
      return await records.create(webhookDeliveryModel, {
        id,
        messageId: message.id,
        endpointId: endpoint.id,
        status: "pending",
        attempts: 0,
        totalAttempts: 0,
        nextAttemptAt: ctx.clock.now(),
      });
    } catch (error) {
      if (!(isGatehouseError(error) && error.code === "store_duplicate")) throw error;
      return (await records.findOne(webhookDeliveryModel, { id }))!;
    }
  }

  return {
    /**
     * Starts a new cycle of attempts of a dead or succeeded delivery (the
     * schedule starts over; its attempt log continues). `not_found`, or
     * `input_invalid` while it is still in progress or its endpoint is disabled.
     */
    async replay(id: string): Promise<WebhookDelivery> {
      const delivery =
        typeof id === "string" ? await records.findOne(webhookDeliveryModel, { id }) : undefined;
      if (delivery === undefined) {
        throw new GatehouseError("not_found", "No webhook delivery has this id.");
      }
      if (!FINISHED.has(delivery.status)) {
        throw new GatehouseError("input_invalid", "replay: the delivery is still in progress.");
      }
      await enabledEndpoint(delivery.endpointId);
      return toDelivery(await restart(delivery));
    },

    /**
     * Sends a message again: to `endpointId`, or to every enabled endpoint
     * subscribed to its type now. Finished deliveries restart, missing ones are
     * created, those in progress are left alone; resolves all of them.
     */
    async replayMessage(
      messageId: string,
      options: ReplayWebhookMessageOptions = {},
    ): Promise<WebhookDelivery[]> {
      const o = parseInput("replayMessage()", optionsSchema, options);
      const message =
        typeof messageId === "string"
          ? await records.findOne(webhookMessageModel, { id: messageId })
          : undefined;
      if (message === undefined) {
        throw new GatehouseError("not_found", "No webhook message has this id.");
      }
      const endpoints =
        o.endpointId === undefined
          ? await subscribers(ctx, message.type, message.tenantId)
          : [await enabledEndpoint(o.endpointId)];
      const out: WebhookDelivery[] = [];
      for (const endpoint of endpoints) out.push(toDelivery(await toEndpoint(message, endpoint)));
      return out;
    },
  };
}
