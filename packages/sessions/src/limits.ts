/**
 * The per-user session limit. Each active session holds a numbered slot
 * (`${userId}#${n}`, a unique field), so even concurrent sign-ins on several
 * instances can never hold more than `maxSessionsPerUser` sessions: the store's
 * unique index arbitrates, not a count read before a write.
 *
 * @packageDocumentation
 */
import { GatehouseError } from "@gatehouse/core/errors";
import type { SessionContext } from "./context.js";
import { sessionModel } from "./models.js";
import { expireSession, revokeSession } from "./revoke.js";
import { endedBecause } from "./session-info.js";

/**
 * A free slot for a new session of `userId`, after evicting the oldest session
 * if the policy says so. The caller creates with it and retries on `store_duplicate`.
 */
export async function findFreeSlot(
  ctx: SessionContext,
  userId: string,
  max: number,
): Promise<string> {
  const { items } = await ctx.records.findMany(sessionModel, {
    where: { userId, status: "active" },
    orderBy: { field: "createdAt", direction: "asc" },
    limit: 1000,
  });
  const now = ctx.clock.now();
  const used = new Set<string>();
  const live = [];
  for (const s of items) {
    const ended = endedBecause(s, now);
    if (ended !== null) {
      await expireSession(ctx, s, ended);
      continue;
    }
    live.push(s);
    if (s.slot !== null) used.add(s.slot);
  }
  for (let n = 0; n < max; n++) {
    const slot = `${userId}#${n}`;
    if (!used.has(slot)) return slot;
  }
  if (ctx.options.onLimit === "refuse") {
    throw new GatehouseError(
      "session_limit_reached",
      `This account already has ${max} active sessions; sign out of one first.`,
    );
  }
  const oldest = live.find((s) => s.slot !== null)!;
  await revokeSession(ctx, oldest.id, "session_limit", "system");
  return oldest.slot!;
}
