/**
 * The two measurements of the audit log: sustained events/s through `createAuditLog` into a
 * sink, and the cost of one `record()` call.
 */
import {
  type AuditEvent,
  type AuditEventInput,
  type AuditLogStats,
  type AuditSink,
  createAuditLog,
} from "@gatehouse/audit";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What one sustained run measured. */
export interface SustainedRun {
  readonly eventsPerSec: number;
  readonly seconds: number;
  readonly stats: AuditLogStats;
}

/**
 * Records `total` events in steps of `batchSize` (yielding to the event loop between steps, as
 * a server does between requests) and flushes; the rate is `total` ÷ (first `record()` →
 * `flush()` resolved). Chain hashing, redaction and the sink's writes are all inside.
 */
export async function sustained(
  sink: AuditSink,
  inputs: readonly AuditEventInput[],
  total: number,
  batchSize: number,
): Promise<SustainedRun> {
  const log = createAuditLog({ sinks: [sink], batchSize, flushIntervalMs: 60_000 });
  const started = performance.now();
  for (let i = 0; i < total; ) {
    const end = Math.min(total, i + batchSize);
    for (; i < end; i++) log.record(inputs[i % inputs.length]!);
    await tick();
  }
  await log.flush();
  const seconds = (performance.now() - started) / 1000;
  const stats = log.stats;
  await log.close();
  return { eventsPerSec: total / seconds, seconds, stats };
}

/** Writes `events` (already chained) to `sink` in batches, without a log; resolves events per second. */
export async function sinkOnly(
  sink: AuditSink,
  r: { readonly events: readonly AuditEvent[]; readonly batchSize: number },
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < r.events.length; i += r.batchSize) {
    await sink.write(r.events.slice(i, i + r.batchSize));
  }
  return r.events.length / ((performance.now() - started) / 1000);
}

/** The chained events a log makes of `total` inputs (untimed): the rows of the ceiling. */
export async function chainedEvents(
  inputs: readonly AuditEventInput[],
  total: number,
  batchSize: number,
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  const log = createAuditLog({
    sinks: [{ name: "capture", write: async (batch) => void events.push(...batch) }],
    batchSize,
  });
  for (let i = 0; i < total; i++) log.record(inputs[i % inputs.length]!);
  await log.close();
  if (events.length !== total) throw new Error(`captured ${events.length} of ${total} events`);
  return events;
}

/**
 * µs per `record()` call: `rounds` tight loops of `calls` records each (timed), the queue
 * drained by `flush()` after each loop (untimed), into a sink that drops everything.
 */
export async function recordCost(
  inputs: readonly AuditEventInput[],
  calls: number,
  rounds: number,
  batchSize: number,
): Promise<{ usPerCall: number; stats: AuditLogStats }> {
  const log = createAuditLog({
    sinks: [{ name: "discard", write: async () => {} }],
    batchSize,
    flushIntervalMs: 60_000,
  });
  const loop = () => {
    const started = performance.now();
    for (let i = 0; i < calls; i++) log.record(inputs[i % inputs.length]!);
    return performance.now() - started;
  };
  loop(); // warm-up
  await log.flush();
  let ms = 0;
  for (let r = 0; r < rounds; r++) {
    ms += loop();
    await log.flush();
  }
  const stats = log.stats;
  await log.close();
  return { usPerCall: (ms * 1000) / (calls * rounds), stats };
}
