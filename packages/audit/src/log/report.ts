/**
 * What an audit log tells `onError`, and the default: process warnings.
 *
 * @packageDocumentation
 */
import type { AuditEvent, AuditEventInput } from "../event.js";

/** A failure an audit log reports through `onError`. */
export interface AuditLogFailure {
  /**
   * - `sink`: a sink started failing (a write, a replay or `head()`); its
   *   batches are safe in the spool and are replayed when it recovers.
   *   Reported once per outage, not per batch.
   * - `spool`: part of the spool is unreadable (a corrupt line, or a
   *   directory of a sink no longer configured, which is kept).
   * - `lost`: events that are gone because even the spool failed, or were
   *   recorded after `close()`; `events` lists each of them.
   */
  readonly kind: "sink" | "spool" | "lost";
  /** The sink concerned, if any. */
  readonly sink: string | null;
  /** What went wrong. */
  readonly error: unknown;
  /** How many events this concerns (0 for a `sink` failure: none is lost). */
  readonly count: number;
  /** For `lost`: the lost events, chained when they got that far, else as recorded. */
  readonly events: readonly (AuditEvent | AuditEventInput)[];
}

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The default `onError`: one process warning per failure. Never prints metadata. */
export function warnFailure(failure: AuditLogFailure): void {
  const where = failure.sink === null ? "" : ` (sink "${failure.sink}")`;
  if (failure.kind === "lost") {
    const ids = failure.events.flatMap((e) =>
      "id" in e && typeof e.id === "string" ? [e.id] : [],
    );
    const range =
      ids.length === 0
        ? ""
        : ids.length === 1
          ? `; id ${ids[0]}`
          : `; ids ${ids[0]} … ${ids.at(-1)}`;
    process.emitWarning(
      `@gatehouse/audit: ${failure.count} audit event(s) lost${where}: ${describe(failure.error)}${range}`,
      { code: "GATEHOUSE_AUDIT_LOST" },
    );
  } else if (failure.kind === "sink") {
    process.emitWarning(
      `@gatehouse/audit: a sink is failing${where}; events are spooled until it recovers: ${describe(failure.error)}`,
      { code: "GATEHOUSE_AUDIT_SINK" },
    );
  } else {
    process.emitWarning(`@gatehouse/audit: spool problem${where}: ${describe(failure.error)}`, {
      code: "GATEHOUSE_AUDIT_SPOOL",
    });
  }
}
