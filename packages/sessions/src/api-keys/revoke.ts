/**
 * Revoking a key: recorded in the store and in the shared revocation list,
 * so every instance refuses it within about a second, warm caches included.
 *
 * @internal
 */
import type { ApiKeyRevokedEvent } from "../events.js";
import { apiKeyModel } from "../models.js";
import { type ApiKeyContext, concurrentChange, findKey, isConflict } from "./context.js";
import { statusOf } from "./info.js";
import { parseInput, revokeOptionsSchema } from "./input.js";

/** `apiKeys.revoke()`: resolves whether the key was active (and is now revoked). */
export async function revokeKey(
  ctx: ApiKeyContext,
  id: string,
  options: unknown,
): Promise<boolean> {
  const o = parseInput("apiKeys.revoke()", revokeOptionsSchema, options ?? {});
  let record = await findKey(ctx, id);
  let listed = false;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const now = ctx.clock.now();
    if (record === undefined || statusOf(record, now) !== "active") return false;
    if (!listed) {
      // First the list: if the store write then fails, the key is refused anyway
      // for the window, and the caller's retry finds it still active.
      await ctx.revocations.revoke("api_key", record.id, now + ctx.revocationWindowMs);
      listed = true;
    }
    try {
      await ctx.records.update(
        apiKeyModel,
        record.id,
        { revokedAt: now, revokedBy: o.by ?? null },
        { expectedVersion: record.version },
      );
    } catch (err) {
      if (!isConflict(err)) throw err;
      // A lastUsedAt write or a concurrent revoke moved the version on: look again.
      record = await findKey(ctx, record.id);
      continue;
    }
    const event: ApiKeyRevokedEvent = {
      keyId: record.id,
      subject: record.subject,
      by: o.by ?? null,
    };
    ctx.events?.emit("api_key.revoked", event);
    return true;
  }
  throw concurrentChange();
}
