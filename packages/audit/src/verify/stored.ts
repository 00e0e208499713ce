// Internal: reading audit events back from a RecordStore, page by page.
import type { RecordStore, StoredRecord } from "@gatehouse/core/store";
import type { AuditEvent } from "../event.js";
import { auditEventModel } from "../model.js";

/** A stored row of `gh_audit_event`. */
export type EventRow = StoredRecord<typeof auditEventModel>;

/** Rows read per query. */
export const PAGE_SIZE = 500;

/** The event a stored row holds (the store's own fields dropped). */
export function toAuditEvent(row: EventRow): AuditEvent {
  return {
    id: row.id,
    time: row.time,
    stream: row.stream,
    seq: row.seq,
    action: row.action,
    actionNamespace: row.actionNamespace,
    outcome: row.outcome as AuditEvent["outcome"],
    actorType: row.actorType as AuditEvent["actorType"],
    actorId: row.actorId,
    impersonatorId: row.impersonatorId,
    targetType: row.targetType,
    targetId: row.targetId,
    orgId: row.orgId,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    metadata: row.metadata,
    piiSalt: row.piiSalt,
    piiDigest: row.piiDigest,
    prevHash: row.prevHash,
    hash: row.hash,
    erasedAt: row.erasedAt,
  };
}

/** The events of `stream` in `seq` order, read a page at a time. */
export async function* streamEvents(
  records: RecordStore,
  stream: string,
): AsyncGenerator<AuditEvent> {
  let cursor: string | undefined;
  do {
    const page = await records.findMany(auditEventModel, {
      where: { stream },
      orderBy: { field: "seq", direction: "asc" },
      limit: PAGE_SIZE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const row of page.items) yield toAuditEvent(row);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * The names of every stream, in order: pages through the events ordered by
 * `stream` (the store has no DISTINCT), keeping each name once.
 */
export async function* streamNames(records: RecordStore): AsyncGenerator<string> {
  let cursor: string | undefined;
  let last: string | undefined;
  do {
    const page = await records.findMany(auditEventModel, {
      orderBy: { field: "stream", direction: "asc" },
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const row of page.items) {
      if (row.stream !== last) {
        last = row.stream;
        yield row.stream;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** The last stored position of `stream`, or `undefined` when it has no events. */
export async function streamHead(
  records: RecordStore,
  stream: string,
): Promise<{ seq: number; hash: string; id: string } | undefined> {
  const page = await records.findMany(auditEventModel, {
    where: { stream },
    orderBy: { field: "seq", direction: "desc" },
    limit: 1,
  });
  const row = page.items[0];
  return row === undefined ? undefined : { seq: row.seq, hash: row.hash, id: row.id };
}
