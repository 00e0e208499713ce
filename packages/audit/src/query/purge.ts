/**
 * Deleting audit events past their retention.
 *
 * @packageDocumentation
 */
import { parseOptions } from "@gatehouse/core";
import type { RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import { auditEventModel } from "../model.js";

/** Options of {@link purgeBefore}. */
export interface PurgeOptions {
  /** Events read and deleted per round. @default 500 (at most 1000) */
  readonly batchSize?: number;
}

const schema = z.strictObject({
  time: z
    .union([z.number().int(), z.date()])
    .transform((v) => (typeof v === "number" ? v : v.getTime())),
  batchSize: z.number().int().min(1).max(1000).optional(),
});

const older = (time: number) => ({ range: { field: "time" as const, lt: time } });

/**
 * Deletes every event older than `time` (its `time` before it), oldest
 * first, `batchSize` at a time; resolves how many it deleted.
 *
 * This shortens every chain from its start by design: verify purged streams
 * with `allowPrunedStart: true`. An event recorded with an explicit past
 * `time` in the middle of a stream is purged too and leaves a gap there.
 *
 * @example
 * ```ts
 * const deleted = await purgeBefore(store.records, Date.now() - 90 * 86_400_000);
 * ```
 */
export async function purgeBefore(
  records: RecordStore,
  time: number | Date,
  options: PurgeOptions = {},
): Promise<number> {
  const o = parseOptions("purgeBefore()", schema, { time, ...options });
  let deleted = 0;
  for (;;) {
    const page = await records.findMany(auditEventModel, {
      ...older(o.time),
      orderBy: { field: "time", direction: "asc" },
      limit: o.batchSize ?? 500,
    });
    let progress = false;
    for (const row of page.items) {
      if (await records.delete(auditEventModel, row.id)) {
        deleted++;
        progress = true;
      }
    }
    if (page.nextCursor === null) return deleted;
    // Every row of the batch was already gone: another purge runs; leave the rest to it.
    if (!progress) return deleted;
  }
}

/** How many events are older than `time` (what {@link purgeBefore} would delete). */
export async function countBefore(records: RecordStore, time: number): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await records.findMany(auditEventModel, {
      ...older(time),
      orderBy: { field: "time", direction: "asc" },
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return count;
}
