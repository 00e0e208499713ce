// Internal: `gatehouse-audit export` and `gatehouse-audit purge`.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { RecordStore } from "@gatehouse/core/store";
import { type ExportFilter, exportEvents } from "../query/export.js";
import { countBefore, purgeBefore } from "../query/purge.js";
import { createAuditQuery } from "../query/search.js";
import type { CliIo } from "./main.js";

/** Writes the matching events as CSV or JSON Lines to `out` (a file) or stdout. */
export async function exportCommand(
  records: RecordStore,
  o: { format: "csv" | "jsonl"; filter: ExportFilter; out?: string },
  io: CliIo,
): Promise<number> {
  const chunks = exportEvents(createAuditQuery(records), o.filter, o.format);
  if (o.out === undefined) {
    for await (const chunk of chunks) {
      io.out(chunk);
      await io.drain?.();
    }
    return 0;
  }
  const file = createWriteStream(o.out, { mode: 0o600 });
  const failed = once(file, "error").then(([err]) => Promise.reject(err));
  failed.catch(() => {}); // handled by the races below
  try {
    for await (const chunk of chunks) {
      if (!file.write(chunk)) await Promise.race([once(file, "drain"), failed]);
    }
    file.end();
    await Promise.race([once(file, "finish"), failed]);
  } finally {
    file.destroy();
  }
  io.err(`gatehouse-audit: wrote ${o.out}\n`);
  return 0;
}

/** Deletes (or with `dryRun` counts) the events older than `olderThanMs`. */
export async function purgeCommand(
  records: RecordStore,
  o: { olderThanMs: number; dryRun: boolean; now: number },
  io: CliIo,
): Promise<number> {
  const cutoff = o.now - o.olderThanMs;
  const when = new Date(cutoff).toISOString();
  if (o.dryRun) {
    io.out(`would delete ${await countBefore(records, cutoff)} event(s) older than ${when}\n`);
  } else {
    io.out(`deleted ${await purgeBefore(records, cutoff)} event(s) older than ${when}\n`);
  }
  return 0;
}
