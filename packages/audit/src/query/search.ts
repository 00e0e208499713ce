/**
 * Searching audit events: filters, newest first, cursor pagination, scoped
 * to one organization when asked.
 *
 * @packageDocumentation
 */
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import type { RecordStore } from "@gatehouse/core/store";
import type { AuditEvent } from "../event.js";
import { auditEventModel } from "../model.js";
import { toAuditEvent } from "../verify/stored.js";
import { type AuditSearch, checkSearch, toFindMany } from "./filter.js";

/** One page of events, newest first. */
export interface AuditPage {
  readonly items: readonly AuditEvent[];
  /** Pass as `cursor` (with the same filter) for the next page; `null` after the last. */
  readonly nextCursor: string | null;
}

/** Searches the audit events of a RecordStore. */
export interface AuditQuery {
  /**
   * A page of the events matching `filter`, newest first. Rejects with
   * `input_invalid` for a malformed filter or cursor and with `forbidden` for
   * a filter outside its `scope`.
   */
  search(filter?: AuditSearch): Promise<AuditPage>;
}

/**
 * The search side of the audit log, on the store a `recordStoreSink` writes.
 * Filters are equalities (organization, actor, action or action namespace,
 * target, outcome) and a time range; results come newest first with keyset
 * cursors. Give `scope: { orgId }` (from the authenticated session) and the
 * search can only ever return that organization's events.
 *
 * @example
 * ```ts
 * const audit = createAuditQuery(store.records);
 * const page = await audit.search({
 *   scope: { orgId: req.auth.orgId },
 *   actionPrefix: "session",
 *   from: Date.now() - 86_400_000,
 * });
 * ```
 */
export function createAuditQuery(records: RecordStore): AuditQuery {
  return {
    async search(filter = {}) {
      const f = checkSearch("search()", filter);
      const options = toFindMany(f, f.limit ?? 50);
      try {
        const page = await records.findMany(auditEventModel, options);
        return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
      } catch (err) {
        // A forged or foreign cursor is the caller's mistake, not a store failure.
        if (f.cursor !== undefined && isGatehouseError(err) && err.code === "store_invalid") {
          throw new GatehouseError("input_invalid", 'search(): "cursor" is malformed', {
            cause: err,
          });
        }
        throw err;
      }
    },
  };
}
