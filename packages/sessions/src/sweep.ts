/**
 * Deleting what is no longer needed: sessions that ended more than
 * `retentionSec` ago, and used refresh tokens of sessions past their end.
 * Run `sessions.sweep()` on a schedule (e.g. hourly, from one instance).
 *
 * @packageDocumentation
 */
import type { SessionContext } from "./context.js";
import { sessionModel, usedRefreshTokenModel } from "./models.js";

const BATCH = 200;

/** Deletes ended sessions past retention and stale used refresh tokens; resolves how many records went. */
export async function sweepEnded(ctx: SessionContext): Promise<number> {
  const now = ctx.clock.now();
  let deleted = 0;
  // A session's idleExpiresAt is its end (capped by expiresAt, set to revokedAt on revocation).
  const sessionCutoff = now - ctx.options.retentionSec * 1000;
  for (;;) {
    const { items } = await ctx.records.findMany(sessionModel, {
      orderBy: { field: "idleExpiresAt", direction: "asc" },
      limit: BATCH,
    });
    const old = items.filter((s) => s.idleExpiresAt < sessionCutoff);
    for (const s of old) if (await ctx.records.delete(sessionModel, s.id)) deleted++;
    if (old.length < BATCH) break;
  }
  for (;;) {
    const { items } = await ctx.records.findMany(usedRefreshTokenModel, {
      orderBy: { field: "expiresAt", direction: "asc" },
      limit: BATCH,
    });
    const old = items.filter((u) => u.expiresAt < now);
    for (const u of old) if (await ctx.records.delete(usedRefreshTokenModel, u.id)) deleted++;
    if (old.length < BATCH) break;
  }
  return deleted;
}
