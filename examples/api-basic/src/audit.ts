import {
  type AuditLog,
  type AuditLogOptions,
  type AuditQuery,
  captureEvents,
  createAuditLog,
  createAuditQuery,
  recordStoreSink,
} from "@gatehouse/audit";
import type { EventBus } from "@gatehouse/core";
import type { RecordStore } from "@gatehouse/core/store";

/** The example's audit trail: a log writing to the app's store, and its search side. */
export interface AppAudit {
  readonly log: AuditLog;
  readonly query: AuditQuery;
  /** Stops capturing events and flushes what is queued. */
  close(): Promise<void>;
}

/**
 * Records the app's audit trail in its own store (the SQLite file by default,
 * with `auditModels` migrated): every event on the bus (RBAC denials, …) and,
 * through `auditRequests()` in `createApp`, every API request.
 */
export function createAppAudit(
  records: RecordStore,
  events: EventBus,
  options: Pick<AuditLogOptions, "stream" | "spoolDir"> = {},
): AppAudit {
  const log = createAuditLog({ sinks: [recordStoreSink(records)], ...options });
  const stop = captureEvents(events, log);
  return {
    log,
    query: createAuditQuery(records),
    async close() {
      stop();
      await log.close();
    },
  };
}
