/**
 * The contracts the audit pieces share: sinks, the log, and its counters.
 *
 * @packageDocumentation
 */
import type { AuditEvent, AuditEventInput } from "./event.js";

/** Where chained events go: a store, a file, stdout, a SIEM. */
export interface AuditSink {
  /** A label for logs and counters, e.g. `records`, `file`. */
  readonly name: string;
  /**
   * Writes a batch of chained events, in order. Must be idempotent by event
   * `id`: after an outage the log replays from its spool and may resend
   * events the sink already holds. Rejects when it cannot write; the log then
   * spools the batch and retries later.
   */
  write(events: readonly AuditEvent[]): Promise<void>;
  /**
   * `true` when the sink places each event by its position (`stream`, `seq`)
   * rather than by arrival, like a database table: the log may then send the
   * next batch while the previous write is still out (at most two at once), so
   * preparing one batch overlaps the database's work on the other. A failed
   * write is still spooled in order and replayed; a later batch may land
   * before it. Leave it unset for files, streams and collectors.
   * @default false
   */
  readonly overlapWrites?: boolean;
  /** The last position of `stream` the sink holds, so a named stream continues its chain after a restart. */
  head?(stream: string): Promise<{ readonly seq: number; readonly hash: string } | undefined>;
  /** Releases files, sockets or timers. */
  close?(): Promise<void>;
}

/** Counters of an audit log, for metrics and health checks. */
export interface AuditLogStats {
  /** Events accepted by `record()`. */
  readonly recorded: number;
  /** Events every sink took on the first try (events that reached a sink through the spool count in `replayed`). */
  readonly written: number;
  /** Event copies written to a spool because a sink failed (or memory was full): one per failing sink. */
  readonly spooled: number;
  /** Spooled event copies written to their sink after recovery. */
  readonly replayed: number;
  /** Events lost because even the spool failed: each one was also reported through `onError`. */
  readonly lost: number;
  /** Events waiting in memory for their first write (a batch chained while the one before it is written included). */
  readonly queued: number;
  /** Sink and spool failures seen. */
  readonly errors: number;
}

/** The audit log `createAuditLog()` returns. */
export interface AuditLog {
  /**
   * Accepts an event without waiting: it is queued in memory and written in
   * batches. Throws only for misuse (`input_invalid`: no action), never
   * because a sink is down.
   */
  record(event: AuditEventInput): void;
  /** Writes everything queued now; resolves when the sinks (or the spool) hold it. */
  flush(): Promise<void>;
  /** Flushes, stops the timers and closes the sinks. Call it on shutdown. */
  close(): Promise<void>;
  /** The chain this log writes. */
  readonly stream: string;
  readonly stats: AuditLogStats;
}
