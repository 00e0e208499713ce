/**
 * Listing a subject's keys, newest first, with keyset pagination.
 *
 * @internal
 */
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import type { Page } from "@gatehouse/core/store";
import { apiKeyModel } from "../models.js";
import type { ApiKeyInfo } from "../types.js";
import type { ApiKeyContext, ApiKeyRecord } from "./context.js";
import { toInfo } from "./info.js";
import { listOptionsSchema, parseInput, subjectSchema } from "./input.js";

const OPERATION = "apiKeys.list()";
/** Store reads one call may make skipping expired keys; a page may then come back short. */
const MAX_READS = 10;

async function readPage(
  ctx: ApiKeyContext,
  where: Record<string, unknown>,
  limit: number,
  cursor: string | undefined,
): Promise<Page<ApiKeyRecord>> {
  try {
    return await ctx.records.findMany(apiKeyModel, {
      where,
      orderBy: { field: "createdAt", direction: "desc" },
      limit,
      cursor,
    });
  } catch (err) {
    if (cursor !== undefined && isGatehouseError(err) && err.code === "store_invalid") {
      throw new GatehouseError("input_invalid", `${OPERATION}: "cursor" is malformed.`, {
        cause: err,
      });
    }
    throw err;
  }
}

/** `apiKeys.list()`. */
export async function listKeys(
  ctx: ApiKeyContext,
  subject: string,
  options: unknown,
): Promise<Page<ApiKeyInfo>> {
  const s = parseInput(OPERATION, subjectSchema, subject);
  const o = parseInput(OPERATION, listOptionsSchema, options ?? {});
  const limit = o.limit ?? 50;
  const includeEnded = o.includeEnded ?? false;
  const now = ctx.clock.now();
  // Revoked keys are filtered by the store; expired ones here. Each read asks
  // for exactly the items still missing, so the store's cursor stays exact.
  const where = includeEnded ? { subject: s } : { subject: s, revokedAt: null };
  const items: ApiKeyInfo[] = [];
  let cursor = o.cursor;
  for (let read = 0; read < MAX_READS && items.length < limit; read++) {
    const page = await readPage(ctx, where, limit - items.length, cursor);
    for (const record of page.items) {
      const info = toInfo(record, now);
      if (includeEnded || info.status === "active") items.push(info);
    }
    cursor = page.nextCursor ?? undefined;
    if (cursor === undefined) break;
  }
  return Object.freeze({ items, nextCursor: cursor ?? null });
}
