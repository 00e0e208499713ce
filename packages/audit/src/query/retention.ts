/**
 * Retention: a policy, and a background task that purges by it.
 *
 * @packageDocumentation
 */
import { type Clock, parseOptions, systemClock } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import type { RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import { purgeBefore } from "./purge.js";

const DAY_MS = 86_400_000;

/** How long audit events are kept. */
export interface RetentionPolicy {
  readonly maxAgeDays: number;
  /** The time before which events are purged, at `now`. */
  cutoff(now: number): number;
}

/** Options of {@link retentionPolicy}. */
export interface RetentionPolicyOptions {
  /** Days an event is kept (from its `time`); whole days, 1 to 36500. */
  readonly maxAgeDays: number;
}

const policySchema = z.strictObject({ maxAgeDays: z.number().int().min(1).max(36_500) });

/**
 * A retention policy: events older than `maxAgeDays` are purged.
 *
 * @example
 * ```ts
 * const policy = retentionPolicy({ maxAgeDays: 90 });
 * ```
 */
export function retentionPolicy(options: RetentionPolicyOptions): RetentionPolicy {
  const { maxAgeDays } = parseOptions("retentionPolicy()", policySchema, options);
  return Object.freeze({ maxAgeDays, cutoff: (now: number) => now - maxAgeDays * DAY_MS });
}

/** Options of {@link startRetention}. */
export interface RetentionOptions {
  /** Milliseconds between purges (the first runs at once). @default 3600000 (one hour) */
  readonly intervalMs?: number;
  /** The source of "now" for the cutoff. @default the system clock */
  readonly clock?: Clock;
  /** Events deleted per round. @default 500 */
  readonly batchSize?: number;
  /** Called after each purge with the count deleted and the cutoff. @default nothing */
  readonly onPurged?: (deleted: number, cutoff: number) => void;
  /** Called with a failed purge's error; the next one runs as planned. @default a process warning with code `GATEHOUSE_AUDIT_RETENTION` */
  readonly onError?: (error: unknown) => void;
}

/** A running retention task. */
export interface RetentionTask {
  /** Purges now (waiting for a purge in progress first); resolves the count deleted. */
  runOnce(): Promise<number>;
  /** Stops the timer; resolves once a purge in progress has finished. */
  stop(): Promise<void>;
}

const fn = <T>() => z.custom<T>((v) => typeof v === "function");
const schema = z.strictObject({
  intervalMs: z.number().int().min(1000).max(2_147_483_647).optional(),
  clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === "function").optional(),
  batchSize: z.number().int().min(1).max(1000).optional(),
  onPurged: fn<(deleted: number, cutoff: number) => void>().optional(),
  onError: fn<(error: unknown) => void>().optional(),
});

const warn = (error: unknown) =>
  process.emitWarning(
    `The audit retention purge failed: ${error instanceof Error ? error.message : String(error)}`,
    { code: "GATEHOUSE_AUDIT_RETENTION", type: "GatehouseWarning" },
  );

/**
 * Purges events past `policy` now and then every `intervalMs`, on a timer
 * that does not keep the process alive (`unref`). Purges never overlap.
 * Call `stop()` on shutdown.
 *
 * @example
 * ```ts
 * const retention = startRetention(store.records, retentionPolicy({ maxAgeDays: 90 }));
 * process.on("SIGTERM", () => retention.stop());
 * ```
 */
export function startRetention(
  records: RecordStore,
  policy: RetentionPolicy,
  options: RetentionOptions = {},
): RetentionTask {
  const o = parseOptions("startRetention()", schema, options);
  if (typeof policy?.cutoff !== "function") {
    configError("startRetention()", "policy must come from retentionPolicy()");
  }
  const clock = o.clock ?? systemClock;
  const intervalMs = o.intervalMs ?? 3_600_000;
  const report = o.onError ?? warn;
  let running: Promise<number> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function purge(): Promise<number> {
    running ??= (async () => {
      const cutoff = policy.cutoff(clock.now());
      const deleted = await purgeBefore(records, cutoff, {
        ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
      });
      o.onPurged?.(deleted, cutoff);
      return deleted;
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      purge()
        .catch(report)
        .finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  }

  schedule(0);
  return {
    async runOnce() {
      await running?.catch(() => {});
      return purge();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
