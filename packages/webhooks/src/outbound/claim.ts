/**
 * Internal: claiming due deliveries. A claim is a version-checked update to
 * `delivering` with a lease (`nextAttemptAt = now + leaseMs`), so among
 * workers sharing a store exactly one wins each attempt; a lease that ran out
 * (its worker died) is claimed again.
 *
 * @packageDocumentation
 */
import { isGatehouseError } from "@gatehouse/core/errors";
import type { DeliveryRecord, SenderContext } from "./context.js";
import { markDead } from "./endpoint-state.js";
import { webhookDeliveryModel } from "./models.js";

/** Statuses a worker picks up once `nextAttemptAt` has passed. */
const CLAIMABLE = ["pending", "failed", "delivering"] as const;

/**
 * Leases reclaimed beyond the schedule before a delivery is given up: a
 * delivery that kills every worker that tries it must not do so forever.
 */
const EXTRA_RECLAIMS = 2;

/** Due deliveries, earliest first, at most `limit` per status. */
async function due(ctx: SenderContext, now: number, limit: number): Promise<DeliveryRecord[]> {
  const pages = await Promise.all(
    CLAIMABLE.map((status) =>
      ctx.records.findMany(webhookDeliveryModel, {
        where: { status },
        orderBy: { field: "nextAttemptAt", direction: "asc" },
        limit,
      }),
    ),
  );
  const out = pages.flatMap((page) => page.items).filter((d) => d.nextAttemptAt <= now);
  // Workers polling together would otherwise all race for the same first rows.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function claimOne(
  ctx: SenderContext,
  delivery: DeliveryRecord,
  now: number,
  leaseMs: number,
): Promise<DeliveryRecord | undefined> {
  if (
    delivery.status === "delivering" &&
    delivery.attempts >= ctx.options.schedule.length + EXTRA_RECLAIMS
  ) {
    await markDead(ctx, delivery, "lease_expired");
    return undefined;
  }
  try {
    return await ctx.records.update(
      webhookDeliveryModel,
      delivery.id,
      {
        status: "delivering",
        attempts: delivery.attempts + 1,
        totalAttempts: delivery.totalAttempts + 1,
        nextAttemptAt: now + leaseMs,
        lastAttemptAt: now,
      },
      { expectedVersion: delivery.version },
    );
  } catch (error) {
    if (
      isGatehouseError(error) &&
      (error.code === "store_conflict" || error.code === "store_not_found")
    ) {
      return undefined; // another worker was first
    }
    throw error;
  }
}

/** Claims up to `max` due deliveries for `leaseMs`. */
export async function claimDue(
  ctx: SenderContext,
  max: number,
  leaseMs: number,
): Promise<DeliveryRecord[]> {
  const now = ctx.clock.now();
  const candidates = await due(ctx, now, Math.min(100, max * 2));
  const claimed: DeliveryRecord[] = [];
  let next = 0;
  while (claimed.length < max && next < candidates.length) {
    const batch = candidates.slice(next, next + (max - claimed.length));
    next += batch.length;
    const results = await Promise.all(batch.map((d) => claimOne(ctx, d, now, leaseMs)));
    for (const r of results) if (r !== undefined) claimed.push(r);
  }
  return claimed;
}
