/**
 * Internal: the health state of an endpoint — its run of failures, being
 * disabled (by its owner, by a 410, or for failing too long), and what that
 * does to its open deliveries.
 *
 * @packageDocumentation
 */
import { isGatehouseError } from "@gatehouse/core/errors";
import type { RecordPatch } from "@gatehouse/core/store";
import type { DeliveryRecord, EndpointRecord, SenderContext } from "./context.js";
import { webhookDeliveryModel, webhookEndpointModel } from "./models.js";
import type { WebhookEndpointDisabledReason } from "./types.js";

const conflict = (error: unknown) => isGatehouseError(error) && error.code === "store_conflict";

/**
 * Applies `change` to the current endpoint with a version check, re-reading
 * and retrying on a concurrent write (a few times; the last write wins then).
 */
async function changeEndpoint(
  ctx: SenderContext,
  id: string,
  change: (endpoint: EndpointRecord) => RecordPatch<typeof webhookEndpointModel> | undefined,
): Promise<EndpointRecord | undefined> {
  for (let attempt = 0; ; attempt++) {
    const endpoint = await ctx.records.findOne(webhookEndpointModel, { id });
    if (endpoint === undefined) return undefined;
    const patch = change(endpoint);
    if (patch === undefined) return endpoint;
    try {
      return await ctx.records.update(webhookEndpointModel, id, patch, {
        expectedVersion: attempt < 3 ? endpoint.version : undefined,
      });
    } catch (error) {
      if (!conflict(error)) throw error;
    }
  }
}

/** Marks a delivery dead (if it is still at `version`) and says so on the bus. */
export async function markDead(
  ctx: SenderContext,
  delivery: DeliveryRecord,
  lastError: string,
  extra: RecordPatch<typeof webhookDeliveryModel> = {},
): Promise<DeliveryRecord | undefined> {
  try {
    const dead = await ctx.records.update(
      webhookDeliveryModel,
      delivery.id,
      { ...extra, status: "dead", lastError },
      { expectedVersion: delivery.version },
    );
    ctx.events?.emit("webhook.delivery_dead", {
      deliveryId: dead.id,
      messageId: dead.messageId,
      endpointId: dead.endpointId,
      lastError,
    });
    return dead;
  } catch (error) {
    if (conflict(error)) return undefined; // a worker claimed it meanwhile: it sees the endpoint state
    throw error;
  }
}

/** Marks every pending or scheduled delivery of an endpoint dead (in-flight ones finish). */
export async function killOpenDeliveries(
  ctx: SenderContext,
  endpointId: string,
  reason: string,
): Promise<void> {
  for (const status of ["pending", "failed"]) {
    let cursor: string | undefined;
    do {
      const page = await ctx.records.findMany(webhookDeliveryModel, {
        where: { endpointId, status },
        limit: 100,
        cursor,
      });
      for (const delivery of page.items) await markDead(ctx, delivery, reason);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
}

/** Disables an endpoint (once) and kills its open deliveries. */
export async function disableEndpoint(
  ctx: SenderContext,
  id: string,
  reason: WebhookEndpointDisabledReason,
): Promise<EndpointRecord | undefined> {
  let changed = false;
  const endpoint = await changeEndpoint(ctx, id, (e) => {
    if (!e.enabled) return undefined;
    changed = true;
    return { enabled: false, disabledReason: reason, disabledAt: ctx.clock.now() };
  });
  if (endpoint !== undefined && changed) {
    ctx.events?.emit("webhook.endpoint_disabled", { endpointId: id, reason });
    await killOpenDeliveries(ctx, id, "endpoint_disabled");
  }
  return endpoint;
}

/** A success ends the endpoint's run of failures. */
export async function recordEndpointSuccess(ctx: SenderContext, id: string): Promise<void> {
  const now = ctx.clock.now();
  await changeEndpoint(ctx, id, (e) =>
    e.failingSince === null && e.lastSuccessAt !== null && now - e.lastSuccessAt < 60_000
      ? undefined // at most one write a minute while all is well
      : { failingSince: null, lastSuccessAt: now },
  );
}

/**
 * A failure starts (or continues) the endpoint's run of failures; a run
 * longer than `disableAfterFailingSec` disables it. Resolves whether the
 * endpoint still takes deliveries (false: disabled or deleted, now or before).
 */
export async function recordEndpointFailure(ctx: SenderContext, id: string): Promise<boolean> {
  const now = ctx.clock.now();
  const endpoint = await changeEndpoint(ctx, id, (e) =>
    e.failingSince === null && e.enabled ? { failingSince: now } : undefined,
  );
  if (endpoint === undefined || !endpoint.enabled) return false;
  if (endpoint.failingSince === null) return true;
  if (now - endpoint.failingSince < ctx.options.disableAfterFailingSec * 1000) return true;
  await disableEndpoint(ctx, id, "failing");
  return false;
}
