/**
 * Exporting audit events as CSV or JSON Lines, streamed page by page.
 *
 * @packageDocumentation
 */
import { parseInput } from "@gatehouse/core";
import { z } from "zod";
import type { AuditEvent } from "../event.js";
import { csvRow } from "./csv.js";
import type { AuditSearch } from "./filter.js";
import { checkSearch } from "./filter.js";
import type { AuditQuery } from "./search.js";

/** The formats of {@link exportEvents}. */
export type ExportFormat = "csv" | "jsonl";

/** What {@link exportEvents} exports: a search filter without paging. */
export type ExportFilter = Omit<AuditSearch, "cursor" | "limit">;

/** Options of {@link exportEvents}. */
export interface ExportOptions {
  /** Events read per page (and per chunk yielded). @default 500 (at most 1000) */
  readonly pageSize?: number;
}

/** The CSV columns, in order. */
export const CSV_COLUMNS = [
  "id",
  "time",
  "action",
  "outcome",
  "actorType",
  "actorId",
  "impersonatorId",
  "targetType",
  "targetId",
  "orgId",
  "ip",
  "userAgent",
  "requestId",
  "metadata",
  "stream",
  "seq",
  "erasedAt",
  "hash",
] as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function csvRecord(e: AuditEvent): string {
  return csvRow([
    e.id,
    iso(e.time),
    e.action,
    e.outcome,
    e.actorType,
    e.actorId,
    e.impersonatorId,
    e.targetType,
    e.targetId,
    e.orgId,
    e.ip,
    e.userAgent,
    e.requestId,
    e.metadata === null ? null : JSON.stringify(e.metadata),
    e.stream,
    e.seq,
    iso(e.erasedAt),
    e.hash,
  ]);
}

const optionsSchema = z.strictObject({
  format: z.enum(["csv", "jsonl"]),
  pageSize: z.number().int().min(1).max(1000).optional(),
});

/**
 * The events matching `filter`, newest first, as chunks of text: one chunk
 * per page, so memory stays flat however many events match. Pipe it to a
 * response or a file (`Readable.from(exportEvents(...))`).
 *
 * - `csv`: a header line, then RFC 4180 records (CRLF, quoted when needed);
 *   text that a spreadsheet would run as a formula (starting with `=`, `+`,
 *   `-`, `@`, tab or CR) is prefixed with `'`. Times are ISO 8601.
 * - `jsonl`: one JSON event per line, every field kept, so the file can be
 *   verified offline with `verifyChain` (per stream, in seq order).
 *
 * The filter (and its `scope`) is checked at once: `input_invalid` or
 * `forbidden` throw here, not on the first read.
 *
 * @example
 * ```ts
 * const chunks = exportEvents(audit, { scope: { orgId }, from: monthStart }, "csv");
 * res.setHeader("content-type", "text/csv; charset=utf-8");
 * await pipeline(Readable.from(chunks), res);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4180 CSV
 * @see https://jsonlines.org/ JSON Lines
 */
export function exportEvents(
  query: AuditQuery,
  filter: ExportFilter,
  format: ExportFormat,
  options: ExportOptions = {},
): AsyncIterable<string> {
  const o = parseInput("exportEvents()", optionsSchema, { format, ...options });
  checkSearch("exportEvents()", filter);
  const limit = o.pageSize ?? 500;
  return (async function* exportPages() {
    if (o.format === "csv") yield csvRow(CSV_COLUMNS);
    let cursor: string | undefined;
    do {
      const page = await query.search({ ...filter, limit, ...(cursor ? { cursor } : {}) });
      if (page.items.length > 0) {
        yield page.items
          .map((e) => (o.format === "csv" ? csvRecord(e) : `${JSON.stringify(e)}\n`))
          .join("");
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  })();
}
