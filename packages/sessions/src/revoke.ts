/**
 * Ending sessions: revocation (the record, then the shared revocation list
 * so access tokens are refused everywhere) and expiry.
 *
 * @packageDocumentation
 */
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import type { SessionContext, SessionRecord } from "./context.js";
import { sessionModel } from "./models.js";
import type { RevocationReason } from "./types.js";

/** Access tokens issued before `revokedAt` are refused until they have all expired. */
function listUntil(ctx: SessionContext, revokedAt: number): number {
  return revokedAt + (ctx.options.accessTokenTtlSec + 60) * 1000;
}

const isConflict = (err: unknown) => isGatehouseError(err) && err.code === "store_conflict";

/**
 * Revokes a session. Resolves false when it was not active. Retries when the
 * record changes underneath (a refresh, a touch), so a revocation is never lost.
 */
export async function revokeSession(
  ctx: SessionContext,
  sessionId: string,
  reason: RevocationReason,
  by: string,
): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const s = await ctx.records.findOne(sessionModel, { id: sessionId });
    if (s === undefined) return false;
    const now = ctx.clock.now();
    if (s.status !== "active") {
      // A revocation whose list entry may not have landed (the store failed mid-way) is re-listed.
      if (s.status === "revoked" && s.revokedAt !== null && now < listUntil(ctx, s.revokedAt)) {
        await ctx.revocations.revoke("session", s.id, listUntil(ctx, s.revokedAt));
      }
      return false;
    }
    try {
      await ctx.records.update(
        sessionModel,
        s.id,
        {
          status: "revoked",
          revokedAt: now,
          revokedReason: reason,
          revokedBy: by,
          idleExpiresAt: Math.min(s.idleExpiresAt, now),
          slot: null,
        },
        { expectedVersion: s.version },
      );
    } catch (err) {
      if (isConflict(err)) continue;
      throw err;
    }
    await ctx.revocations.revoke("session", s.id, listUntil(ctx, now));
    ctx.events?.emit("session.revoked", { sessionId: s.id, userId: s.userId, reason, by });
    return true;
  }
  throw new GatehouseError("store_conflict", "The session kept changing while being revoked.");
}

/** Marks a timed-out session expired (frees its limit slot) and says so; losing a race is fine. */
export async function expireSession(
  ctx: SessionContext,
  s: SessionRecord,
  why: "idle" | "absolute",
): Promise<void> {
  try {
    await ctx.records.update(
      sessionModel,
      s.id,
      { status: "expired", slot: null },
      { expectedVersion: s.version },
    );
    ctx.events?.emit("session.expired", { sessionId: s.id, userId: s.userId, why });
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

/** Revokes every active session of a user except `keep`; resolves how many. */
export async function revokeUserSessions(
  ctx: SessionContext,
  userId: string,
  keep: string | undefined,
  reason: RevocationReason,
  by: string,
): Promise<number> {
  let revoked = 0;
  // Pages shrink as sessions leave `active`, so each round reads the first page again.
  for (let round = 0; round < 1000; round++) {
    const { items } = await ctx.records.findMany(sessionModel, {
      where: { userId, status: "active" },
      limit: 200,
    });
    const targets = items.filter((s) => s.id !== keep);
    if (targets.length === 0) break;
    for (const s of targets) if (await revokeSession(ctx, s.id, reason, by)) revoked++;
  }
  return revoked;
}
