/**
 * Internal: one sink as the log drives it — bounded writes, its spool, and
 * the replay of that spool (oldest first) once the sink recovers.
 *
 * @packageDocumentation
 */
import type { AuditEvent } from "../event.js";
import type { AuditSink } from "../types.js";
import type { AuditLogFailure } from "./report.js";
import { type Spool, SpoolWriteError } from "./spool.js";

/** What the log lends its outlets. */
export interface OutletContext {
  readonly batchSize: number;
  readonly timeoutMs: number;
  /** Rejects once the in-memory queue is full: a write still pending then is abandoned and spooled. */
  pressure(): Promise<never>;
  report(failure: Omit<AuditLogFailure, "sink">, sink: string): void;
  readonly counters: { spooled: number; replayed: number; errors: number };
}

/** How a batch ended for one sink. */
export interface Delivery {
  /** The sink took the batch itself (not through its spool). */
  readonly direct: boolean;
  /** Events neither the sink nor the spool holds. */
  readonly lost: readonly AuditEvent[];
}

class SinkTimeoutError extends Error {
  constructor(sink: string, ms: number) {
    super(`sink "${sink}" did not answer within ${ms} ms`);
    this.name = "SinkTimeoutError";
  }
}

const noop = () => {};

/**
 * A sink with its spool. Deliveries may overlap (the log sends the next batch
 * early to a sink with `overlapWrites`); replays must not overlap a delivery.
 */
export class Outlet {
  readonly sink: AuditSink;
  readonly spool: Spool;
  readonly #ctx: OutletContext;
  #failing = false;
  /** Settles when the last delivery handed to this outlet has finished, spooling included. */
  #tail: Promise<void> = Promise.resolve();

  constructor(sink: AuditSink, spool: Spool, ctx: OutletContext) {
    this.sink = sink;
    this.spool = spool;
    this.#ctx = ctx;
  }

  /**
   * Delivers a chained batch. A sink with a backlog gets its spool replayed
   * first (when `probe`), so it sees events in order; if the backlog remains,
   * the batch joins it. A failed write spools the batch. To a sink with
   * `overlapWrites` and no backlog, the write goes out at once, even while the
   * delivery before it is still out.
   */
  deliver(events: readonly AuditEvent[], probe: boolean): Promise<Delivery> {
    const before = this.#tail;
    // Early, the write goes out now; anything touching the spool waits for the delivery before.
    const delivery =
      this.sink.overlapWrites === true && !this.spool.pending
        ? this.#deliverEarly(events, before)
        : before.then(() => this.#deliverInTurn(events, probe));
    this.#tail = delivery.then(noop, noop);
    return delivery;
  }

  /** Writes now; on failure, spools after the delivery before has spooled (so the spool stays in order). */
  async #deliverEarly(events: readonly AuditEvent[], before: Promise<void>): Promise<Delivery> {
    let failure: { error: unknown } | undefined;
    try {
      await this.#write(events);
    } catch (error) {
      failure = { error };
    }
    await before;
    if (failure === undefined) {
      this.#ok();
      return { direct: true, lost: [] };
    }
    this.#failed(failure.error);
    return { direct: false, lost: await this.#spool(events) };
  }

  async #deliverInTurn(events: readonly AuditEvent[], probe: boolean): Promise<Delivery> {
    if (this.spool.pending && probe) await this.replay();
    if (!this.spool.pending) {
      try {
        await this.#write(events);
        this.#ok();
        return { direct: true, lost: [] };
      } catch (err) {
        this.#failed(err);
      }
    }
    return { direct: false, lost: await this.#spool(events) };
  }

  /** Sends the spool to the sink, oldest first; resolves whether it is now empty. */
  async replay(): Promise<boolean> {
    const ctx = this.#ctx;
    for (;;) {
      let segment: Awaited<ReturnType<Spool["oldest"]>>;
      try {
        segment = await this.spool.oldest();
      } catch (err) {
        ctx.counters.errors++;
        ctx.report({ kind: "spool", error: err, count: 0, events: [] }, this.sink.name);
        return false;
      }
      if (segment === undefined) return true;
      const { events, corrupt } = segment.content;
      try {
        await this.#write(events);
      } catch (err) {
        this.#failed(err);
        return false;
      }
      this.#ok();
      if (corrupt > 0) {
        ctx.counters.errors++;
        ctx.report(
          {
            kind: "spool",
            error: new Error(`${corrupt} unreadable line(s) in spool segment ${segment.n} skipped`),
            count: corrupt,
            events: [],
          },
          this.sink.name,
        );
      }
      ctx.counters.replayed += events.length;
      try {
        await this.spool.remove(segment.n);
      } catch (err) {
        // Left on disk it would be replayed again: harmless (idempotent sinks), but say so.
        ctx.counters.errors++;
        ctx.report({ kind: "spool", error: err, count: 0, events: [] }, this.sink.name);
        return false;
      }
    }
  }

  async #spool(events: readonly AuditEvent[]): Promise<AuditEvent[]> {
    try {
      await this.spool.append(events);
      this.#ctx.counters.spooled += events.length;
      return [];
    } catch (err) {
      const written = err instanceof SpoolWriteError ? err.written : 0;
      this.#ctx.counters.spooled += written;
      this.#ctx.counters.errors++;
      const lost = events.slice(written);
      const error = err instanceof SpoolWriteError ? err.cause : err;
      this.#ctx.report({ kind: "lost", error, count: lost.length, events: lost }, this.sink.name);
      return lost;
    }
  }

  /** Writes in chunks of `batchSize`, each bounded by the timeout and the queue pressure. */
  async #write(events: readonly AuditEvent[]): Promise<void> {
    const { batchSize, timeoutMs } = this.#ctx;
    for (let i = 0; i < events.length; i += batchSize) {
      const chunk = events.length <= batchSize ? events : events.slice(i, i + batchSize);
      const write = Promise.resolve().then(() => this.sink.write(chunk));
      write.catch(() => {}); // an abandoned write may still fail later
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new SinkTimeoutError(this.sink.name, timeoutMs)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([write, timeout, this.#ctx.pressure()]);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  #ok(): void {
    this.#failing = false;
  }

  #failed(error: unknown): void {
    this.#ctx.counters.errors++;
    if (this.#failing) return;
    this.#failing = true;
    this.#ctx.report({ kind: "sink", error, count: 0, events: [] }, this.sink.name);
  }
}
