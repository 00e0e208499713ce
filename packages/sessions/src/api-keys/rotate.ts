/**
 * Rotating a key: a replacement with the same grant, and the old key kept
 * working for an overlap. Two concurrent rotations of one key yield exactly
 * one replacement (optimistic versions).
 *
 * @internal
 */
import { GatehouseError } from "@gatehouse/core/errors";
import type { ApiKeyRotatedEvent } from "../events.js";
import { apiKeyModel } from "../models.js";
import type { CreatedApiKey } from "../types.js";
import {
  type ApiKeyContext,
  type ApiKeyRecord,
  concurrentChange,
  findKey,
  isConflict,
} from "./context.js";
import { insertKey } from "./create.js";
import { scopesOf, toInfo } from "./info.js";
import { inputInvalid, parseInput, rotateOptionsSchema } from "./input.js";
import type { ApiKeyKind } from "./key-format.js";

const OPERATION = "apiKeys.rotate()";

function checkRotatable(record: ApiKeyRecord, now: number): void {
  if (record.revokedAt !== null) throw inputInvalid(OPERATION, "the API key is revoked.");
  if (record.expiresAt !== null && record.expiresAt <= now) {
    throw inputInvalid(OPERATION, "the API key has expired.");
  }
  if (record.rotatedTo !== null) throw inputInvalid(OPERATION, "the API key was already rotated.");
}

/**
 * Marks `old` as replaced by `newId`, ending at `until`. A conflict caused by
 * a `lastUsedAt` write is retried; one caused by another rotation (or a
 * revocation) loses with `store_conflict`.
 */
async function retire(
  ctx: ApiKeyContext,
  old: ApiKeyRecord,
  newId: string,
  until: number,
): Promise<void> {
  let current = old;
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.records.update(
        apiKeyModel,
        current.id,
        { expiresAt: until, rotatedTo: newId },
        { expectedVersion: current.version },
      );
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await findKey(ctx, current.id);
      if (
        attempt >= 5 ||
        fresh === undefined ||
        fresh.rotatedTo !== null ||
        fresh.revokedAt !== null
      ) {
        throw concurrentChange();
      }
      current = fresh;
    }
  }
}

/** `apiKeys.rotate()`. */
export async function rotateKey(
  ctx: ApiKeyContext,
  id: string,
  options: unknown,
): Promise<CreatedApiKey> {
  const o = parseInput(OPERATION, rotateOptionsSchema, options ?? {});
  const overlapMs = (o.overlapSec ?? 86_400) * 1000;
  const now = ctx.clock.now();
  const old = await findKey(ctx, id);
  if (old === undefined) throw new GatehouseError("not_found", `${OPERATION}: no such API key.`);
  checkRotatable(old, now);
  // Same lifetime as the old key had, counted from now.
  const lifetime = old.expiresAt === null ? null : Math.max(1000, old.expiresAt - old.createdAt);
  const { key, record } = await insertKey(ctx, {
    kind: old.kind as ApiKeyKind,
    subject: old.subject,
    orgId: old.orgId,
    name: old.name,
    scopes: scopesOf(old),
    expiresAt: lifetime === null ? null : now + lifetime,
    createdBy: o.by ?? null,
    rotatedFrom: old.id,
  });
  const overlapUntil = Math.min(old.expiresAt ?? Number.POSITIVE_INFINITY, now + overlapMs);
  try {
    await retire(ctx, old, record.id, overlapUntil);
  } catch (err) {
    // This rotation lost (or the store failed): its replacement must not survive.
    await ctx.records.delete(apiKeyModel, record.id).catch(() => {});
    throw err;
  }
  if (overlapMs === 0) {
    // No overlap: instances holding the old key in their cache must refuse it now too.
    await ctx.revocations.revoke("api_key", old.id, now + ctx.revocationWindowMs);
  }
  const event: ApiKeyRotatedEvent = {
    keyId: old.id,
    newKeyId: record.id,
    subject: old.subject,
    overlapUntil,
  };
  ctx.events?.emit("api_key.rotated", event);
  return Object.freeze({ key, apiKey: toInfo(record, now) });
}
