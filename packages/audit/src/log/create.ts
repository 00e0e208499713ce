/**
 * `createAuditLog()`: a non-blocking, batching, hash-chaining audit log that
 * never loses an event silently.
 *
 * @packageDocumentation
 */
import { readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import type { AuditEvent, AuditEventInput } from "../event.js";
import { createMetadataCleaner } from "../redact.js";
import type { AuditLog, AuditLogStats } from "../types.js";
import { type Chainer, type ChainHead, createChainer, type Pending } from "./chainer.js";
import { defaultStreamName, spoolKeys } from "./names.js";
import { type AuditLogOptions, parseLogOptions } from "./options.js";
import { Outlet, type OutletContext } from "./outlet.js";
import { type AuditLogFailure, warnFailure } from "./report.js";
import { pressureSignal, withTimeout } from "./signals.js";
import { Spool } from "./spool.js";
import { checkRecordInput } from "./validate.js";

interface Waiter {
  readonly handled: number;
  readonly probe: number;
  /** Flush attempts started before this waiter: a later attempt's failure is its own. */
  readonly attempts: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Creates an audit log. `record()` only validates and queues (well under
 * 5 µs); batches are chained (ids, `seq`, hashes), redacted and written to
 * every sink at flush time, when `batchSize` events are queued, every
 * `flushIntervalMs`, and on `flush()`/`close()`. A batch a sink refuses is
 * appended to that sink's spool (fsync'd) before the flush resolves and
 * replayed in order when the sink recovers, so nothing is lost while the disk
 * holds; what is lost anyway is reported through `onError`.
 *
 * Do not change an input object after recording it: it is read at flush time.
 *
 * @example
 * ```ts
 * const audit = createAuditLog({
 *   sinks: [recordStoreSink(store.records), stdoutSink()],
 *   spoolDir: "/var/lib/app/audit-spool",
 * });
 * audit.record({ action: "session.revoked", actor: { type: "user", id: userId } });
 * process.on("SIGTERM", () => audit.close());
 * ```
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const o = parseLogOptions(options);
  const clock = o.clock ?? systemClock;
  const headSink = o.stream === undefined ? undefined : o.sinks.find((s) => s.head !== undefined);
  if (o.stream !== undefined && headSink === undefined) {
    configError(
      "createAuditLog()",
      'option "stream" needs a sink with head() to continue its chain',
    );
  }
  const stream = o.stream ?? defaultStreamName(clock.now());
  const spoolRoot = o.spoolDir ?? join(tmpdir(), "gatehouse-audit", stream);
  const clean = createMetadataCleaner({ keys: o.redact, maxBytes: o.maxMetadataBytes });
  const onError = o.onError ?? warnFailure;
  const report = (failure: AuditLogFailure) => {
    try {
      onError(failure);
    } catch {
      // a throwing onError must not break the log
    }
  };

  const counters = { recorded: 0, written: 0, spooled: 0, replayed: 0, lost: 0, errors: 0 };
  let queue: Pending[] = [];
  let ahead = 0; // events chained while the batch before them is written: still queued
  let enqueued = 0; // events ever queued
  let handled = 0; // events taken from the queue and written, spooled or lost
  let target = 0; // drain until `handled` reaches it
  let probeWanted = false;
  let probeRound = 0;
  let probesDone = 0;
  let spilling = false;
  let pressure = pressureSignal();
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let attempts = 0;
  let sizeScheduled = false;
  let ready: Promise<void> | undefined;
  let headFailing = false;
  let strayReported = false;
  const waiters = new Set<Waiter>();
  let chainer: Chainer | undefined =
    o.stream === undefined ? createChainer(stream, { seq: 0, hash: "" }, clean) : undefined;

  const ctx: OutletContext = {
    batchSize: o.batchSize,
    timeoutMs: o.sinkTimeoutMs,
    pressure: () => pressure.promise,
    report: (failure, sink) => report({ ...failure, sink }),
    counters,
  };
  const keys = spoolKeys(o.sinks);
  const outlets = o.sinks.map(
    (sink, i) => new Outlet(sink, new Spool(join(spoolRoot, keys[i]!)), ctx),
  );
  const backlog = () => outlets.some((outlet) => outlet.spool.pending);
  const writesOut = o.sinks.every((sink) => sink.overlapWrites === true) ? 2 : 1;

  function lose(events: readonly AuditEventInput[], why: string): void {
    counters.lost += events.length;
    report({ kind: "lost", sink: null, error: new Error(why), count: events.length, events });
  }

  async function init(): Promise<void> {
    for (const outlet of outlets) {
      try {
        await outlet.spool.scan();
      } catch (err) {
        counters.errors++;
        report({ kind: "spool", sink: outlet.sink.name, error: err, count: 0, events: [] });
      }
    }
    if (o.spoolDir !== undefined && !strayReported) {
      strayReported = true;
      await reportStrayDirs();
    }
    if (chainer === undefined) {
      let head: ChainHead = { seq: 0, hash: "" };
      try {
        head = (await withTimeout(headSink!.head!(stream), o.sinkTimeoutMs)) ?? head;
        headFailing = false;
      } catch (err) {
        counters.errors++;
        if (!headFailing)
          report({ kind: "sink", sink: headSink!.name, error: err, count: 0, events: [] });
        headFailing = true;
        throw err;
      }
      for (const outlet of outlets) {
        const last = await outlet.spool.lastOf(stream).catch(() => undefined);
        if (last && last.seq > head.seq) head = last;
      }
      chainer = createChainer(stream, head, clean);
    }
    probeWanted = true; // replay what a previous process left before new events go out
  }

  async function reportStrayDirs(): Promise<void> {
    const names = await readdir(o.spoolDir!).catch(() => [] as string[]);
    for (const name of names.filter((n) => !keys.includes(n))) {
      const error = new Error(`spool directory "${name}" matches no configured sink; it is kept`);
      report({ kind: "spool", sink: name, error, count: 0, events: [] });
    }
  }

  function settle(): void {
    for (const w of waiters) {
      if (handled >= w.handled && probesDone >= w.probe) {
        waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Delivers to every outlet; `probe`: a sink with a backlog gets it replayed first. */
  async function deliver(events: AuditEvent[], probe: boolean): Promise<void> {
    const results = await Promise.all(outlets.map((outlet) => outlet.deliver(events, probe)));
    if (results.every((r) => r.direct)) counters.written += events.length;
    const lost = new Set(results.flatMap((r) => r.lost));
    counters.lost += lost.size;
  }

  async function pump(): Promise<void> {
    ready ??= init().catch((err) => {
      ready = undefined;
      throw err;
    });
    await ready;
    // Batches whose writes are out, oldest first, while the next one is chained: chaining (ids,
    // hashes, redaction) overlaps the database's work. One at a time, or two when every sink
    // places events by position (`overlapWrites`). They land in order.
    const inFlight: { readonly done: Promise<void>; readonly n: number }[] = [];
    let flying = 0; // events in `inFlight`
    const landOldest = async () => {
      const { done, n } = inFlight[0]!;
      await done;
      inFlight.shift();
      flying -= n;
      handled += n;
      if (pressure.fired) pressure = pressureSignal();
      if (queue.length < o.batchSize) spilling = false;
      settle();
    };
    const landed = async () => {
      while (inFlight.length > 0) await landOldest();
    };
    for (;;) {
      if (probeWanted && !spilling) {
        await landed();
        probeWanted = false;
        const round = ++probeRound;
        await Promise.all(outlets.map((outlet) => (outlet.spool.pending ? outlet.replay() : true)));
        probesDone = round;
        settle();
      }
      const owed = handled + flying < target;
      if (queue.length === 0 || (!owed && !spilling && queue.length < o.batchSize)) {
        if (inFlight.length === 0) break;
        // A batch may fill while the oldest write lands: keep the writes going back to back.
        await landOldest();
        continue;
      }
      // Spilling to disk goes in larger slices (each chained in well under 50 ms).
      const n = Math.min(queue.length, spilling ? Math.max(o.batchSize * 10, 5000) : o.batchSize);
      const batch = n === queue.length ? queue : queue.splice(0, n);
      if (batch === queue) queue = [];
      // Taken or delivered while spilling: straight to the spool, no replay attempt first.
      const probe = !spilling;
      const events = chainer!.chain(batch);
      ahead = n;
      while (inFlight.length >= writesOut) await landOldest();
      ahead = 0;
      const done = deliver(events, probe && !spilling);
      done.catch(() => {}); // awaited by landOldest(); never an unhandled rejection meanwhile
      inFlight.push({ done, n });
      flying += n;
      // Let the write go out (the driver encodes and sends it) before the next batch is chained.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await landed();
  }

  function kick(): void {
    if (running) {
      again = true;
      return;
    }
    const attempt = ++attempts;
    running = pump()
      .catch((err) => {
        // Waiters that came while this attempt ran are served by the next one.
        for (const w of waiters) {
          if (w.attempts < attempt) {
            waiters.delete(w);
            w.reject(err);
          }
        }
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  function flushNow(probe: boolean): void {
    target = enqueued;
    if (probe) probeWanted = true;
    kick();
  }

  const timer = setInterval(() => {
    if (queue.length > 0 || backlog()) flushNow(true);
  }, o.flushIntervalMs);
  timer.unref();
  const onBeforeExit = () => {
    // Only when events wait in memory: a sink that stays down must not keep the process alive.
    if (queue.length > 0) flushNow(false);
  };
  if (o.flushOnExit) process.on("beforeExit", onBeforeExit);
  // Start now: read the chain head of a named stream, and replay what a previous process spooled.
  kick();

  function flush(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      waiters.add({ handled: enqueued, probe: probeRound + 1, attempts, resolve, reject });
      flushNow(true);
    });
  }

  let closing: Promise<void> | undefined;

  return {
    stream,
    record(input: AuditEventInput): void {
      const action = checkRecordInput(input);
      const time = input.time ?? clock.now();
      if (closed) {
        lose([input], "recorded after close()");
        return;
      }
      if (queue.length + ahead >= o.maxQueue) {
        if (chainer === undefined) {
          lose([input], "the queue is full and the chain head is unknown");
          return;
        }
        spilling = true;
        pressure.fire();
      }
      queue.push({ input, action, time });
      counters.recorded++;
      enqueued++;
      if (queue.length >= o.batchSize && !sizeScheduled) {
        sizeScheduled = true;
        setImmediate(() => {
          sizeScheduled = false;
          kick();
        });
      }
    },
    flush,
    close(): Promise<void> {
      closing ??= (async () => {
        closed = true;
        clearInterval(timer);
        process.off("beforeExit", onBeforeExit);
        let failure: unknown;
        try {
          await flush();
        } catch (err) {
          failure = err;
          // The chain head never became known: what is still queued cannot be written.
          if (queue.length > 0)
            lose(
              queue.splice(0).map((p) => p.input),
              "the log closed before its chain head was known",
            );
        }
        await Promise.allSettled(o.sinks.map(async (sink) => sink.close?.()));
        if (o.spoolDir === undefined) await removeDefaultSpool();
        if (failure !== undefined) throw failure;
      })();
      return closing;
    },
    get stats(): AuditLogStats {
      return Object.freeze({ ...counters, queued: queue.length + ahead });
    },
  };

  async function removeDefaultSpool(): Promise<void> {
    if (!backlog()) {
      await rm(spoolRoot, { recursive: true, force: true }).catch(() => {});
      return;
    }
    const error = new Error(
      `events remain in the spool at ${spoolRoot}: set spoolDir to replay them after a restart`,
    );
    report({ kind: "spool", sink: null, error, count: 0, events: [] });
  }
}
