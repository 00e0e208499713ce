/**
 * Time-boxed measurement loops of the sessions bench: synchronous operations in batches
 * (with a macrotask between batches, as a server has between requests, so background work
 * such as the revocation list refresh runs), rows interleaved round by round so that peers
 * see the same machine; and asynchronous operations with a fixed number in flight.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";

/** What a measured row did: operations, wall time, and operations that did not succeed. */
export interface Rate {
  readonly ops: number;
  readonly ms: number;
  /** Operations whose result was not the expected one (counted, never thrown). */
  readonly failures: number;
}

/** Operations per second of a {@link Rate}, or null when it failed or measured nothing. */
export function opsPerSec(rate: Rate | undefined): number | null {
  if (rate === undefined || rate.failures > 0 || rate.ops === 0) return null;
  return rate.ops / (rate.ms / 1000);
}

/** One synchronous operation: `i` counts calls (for round-robin pools); true on success. */
export type SyncOp = (i: number) => boolean;

/** A row of {@link compareSync}. */
export interface SyncRow {
  readonly id: string;
  readonly op: SyncOp;
  /**
   * Awaited (untimed) before each of the row's time slots: what the first request after an
   * idle spell does. A verifier's revocation copy older than a second is not served
   * synchronously (`authenticateSync` hands over to `authenticate()`), and a row waits up
   * to ~1 s while its peers run.
   */
  readonly before?: () => Promise<void>;
}

const BATCH = 64;

/**
 * Runs `op` for about `ms` in batches of 64, yielding to the event loop after each batch.
 * The time counted is wall time, yields included (a few µs per batch, the same for every row).
 */
async function timeSync(op: SyncOp, ms: number, start: number): Promise<Rate & { next: number }> {
  let i = start;
  let failures = 0;
  const started = performance.now();
  const deadline = started + ms;
  let now = started;
  while (now < deadline) {
    for (let j = 0; j < BATCH; j++) if (!op(i++)) failures++;
    await yieldToLoop();
    now = performance.now();
  }
  return { ops: i - start, ms: now - started, failures, next: i };
}

/**
 * Measures every row for `rounds` × `msPerRound`, after `warmupMs` of unmeasured calls each.
 * Rows take turns round by round (the order reverses every other round), so a slow spell of a
 * shared machine lands on all of them and their ratios stay meaningful.
 */
export async function compareSync(
  rows: readonly SyncRow[],
  options: { rounds: number; msPerRound: number; warmupMs: number },
): Promise<Map<string, Rate>> {
  const next = new Map<string, number>();
  for (const row of rows) {
    await row.before?.();
    const warm = await timeSync(row.op, options.warmupMs, 0);
    next.set(row.id, warm.next);
  }
  const totals = new Map<string, Rate>(rows.map((r) => [r.id, { ops: 0, ms: 0, failures: 0 }]));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? rows : [...rows].reverse();
    for (const row of order) {
      await row.before?.();
      const r = await timeSync(row.op, options.msPerRound, next.get(row.id)!);
      next.set(row.id, r.next);
      const t = totals.get(row.id)!;
      totals.set(row.id, {
        ops: t.ops + r.ops,
        ms: t.ms + r.ms,
        failures: t.failures + r.failures,
      });
    }
  }
  return totals;
}

/**
 * Runs `workers` loops concurrently for about `ms`; worker `w` calls `op(w, n)` with its own
 * counter `n`, one call at a time. Every error is counted, and the first is kept.
 */
export async function driveFor(
  workers: number,
  ms: number,
  op: (worker: number, n: number) => Promise<unknown>,
): Promise<Rate & { error?: unknown }> {
  let ops = 0;
  let failures = 0;
  let error: unknown;
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let n = 0; performance.now() < deadline; n++) {
        try {
          await op(w, n);
          ops++;
        } catch (err) {
          failures++;
          error ??= err;
        }
      }
    }),
  );
  return { ops, ms: performance.now() - started, failures, error };
}
