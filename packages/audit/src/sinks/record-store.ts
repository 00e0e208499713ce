/**
 * The RecordStore sink: events as `gh_audit_event` records.
 *
 * @packageDocumentation
 */
import {
  createManyFallback,
  type RecordInputWithId,
  type RecordStore,
} from "@gatehouse/core/store";
import type { AuditEvent } from "../event.js";
import { auditEventModel } from "../model.js";
import type { AuditSink } from "../types.js";

type Row = RecordInputWithId<typeof auditEventModel>;

/** The record of an event: its fields, `position` (`stream#seq`) and its id. */
export function eventToRecord(event: AuditEvent): Row {
  return {
    id: event.id,
    time: event.time,
    stream: event.stream,
    seq: event.seq,
    position: `${event.stream}#${event.seq}`,
    action: event.action,
    actionNamespace: event.actionNamespace,
    outcome: event.outcome,
    actorType: event.actorType,
    actorId: event.actorId,
    impersonatorId: event.impersonatorId,
    targetType: event.targetType,
    targetId: event.targetId,
    orgId: event.orgId,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    metadata: event.metadata,
    piiSalt: event.piiSalt,
    piiDigest: event.piiDigest,
    prevHash: event.prevHash,
    hash: event.hash,
    erasedAt: event.erasedAt,
  };
}

/**
 * A sink writing events to a {@link RecordStore} (register `auditModels` with
 * the store and migrate). Batches go through the store's atomic, id-idempotent
 * `createMany` (or `createManyFallback` for stores without it), so a batch
 * replayed after an outage writes only the events that are missing; the log
 * may have two batches out at once (`overlapWrites`). On SQLite, open the
 * store with `bulkWrites: "worker"` so those writes leave the event loop. `head()`
 * reads the last position of a stream, so a named stream continues its chain
 * after a restart.
 *
 * @example
 * ```ts
 * const store = createSqliteStore("app.db", { models: [...auditModels] });
 * await store.migrate();
 * const audit = createAuditLog({ sinks: [recordStoreSink(store.records)] });
 * ```
 */
export function recordStoreSink(records: RecordStore): AuditSink {
  return {
    name: "records",
    // Rows are keyed by id and read back by `seq`: the order batches land in does not matter.
    overlapWrites: true,
    async write(events) {
      // One call per batch: the store splits it under its driver's parameter limit, in one
      // transaction, so a batch lands whole or not at all.
      const rows = events.map(eventToRecord);
      if (records.createMany) await records.createMany(auditEventModel, rows);
      else await createManyFallback(records, auditEventModel, rows);
    },
    async head(stream) {
      const { items } = await records.findMany(auditEventModel, {
        where: { stream },
        orderBy: { field: "seq", direction: "desc" },
        limit: 1,
      });
      const last = items[0];
      return last === undefined ? undefined : { seq: last.seq, hash: last.hash };
    },
  };
}
