/**
 * The delivery worker: claims due deliveries and makes their attempts, up to
 * `concurrency` at once. Run one or several per process, in as many
 * processes as you like, on one store: leases keep them from delivering the
 * same attempt twice at once.
 *
 * @packageDocumentation
 */
import { parseOptions } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import { z } from "zod";
import { claimDue } from "./claim.js";
import type { SenderContext } from "./context.js";
import { deliver } from "./deliver.js";
import { finishInterruptedSends } from "./send.js";

/** Options of `sender.worker()`. */
export interface WebhookWorkerOptions {
  /** Attempts in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Milliseconds between polls when there is nothing to do. @default 500 */
  readonly pollIntervalMs?: number;
  /**
   * Milliseconds a claimed delivery belongs to this worker; if the worker
   * dies, another claims it after this. Must exceed the sender's `timeoutMs`.
   * @default 30000
   */
  readonly leaseMs?: number;
  /**
   * Called with errors of the loop (a store outage, …); the loop goes on.
   * @default a process warning with code `GATEHOUSE_WEBHOOK_WORKER`
   */
  readonly onError?: (error: unknown) => void;
}

/** A worker: `start()` to run in the background, `runOnce()` for one pass. */
export interface WebhookWorker {
  /** Starts polling (idempotent). */
  start(): void;
  /** Stops polling and resolves when the attempts in flight have finished (graceful). */
  stop(): Promise<void>;
  /**
   * One claim-and-deliver pass; resolves how many deliveries it attempted
   * (rejects with the first store error, after every attempt has settled).
   * For tests and cron-style runs.
   */
  runOnce(): Promise<number>;
  /** Whether `start()` was called and `stop()` was not. */
  readonly running: boolean;
}

const schema = z.strictObject({
  concurrency: z.number().int().min(1).max(256).optional(),
  pollIntervalMs: z.number().int().min(1).max(3_600_000).optional(),
  leaseMs: z.number().int().min(1).max(3_600_000).optional(),
  onError: z.custom<(error: unknown) => void>((v) => typeof v === "function").optional(),
});

const warn = (error: unknown) =>
  process.emitWarning(
    `The webhook worker failed: ${error instanceof Error ? error.message : String(error)}`,
    { code: "GATEHOUSE_WEBHOOK_WORKER", type: "GatehouseWarning" },
  );

/** Creates a worker for a sender. */
export function createWorker(
  ctx: SenderContext,
  options: WebhookWorkerOptions = {},
): WebhookWorker {
  const o = parseOptions("sender.worker()", schema, options);
  const concurrency = o.concurrency ?? 4;
  const pollIntervalMs = o.pollIntervalMs ?? 500;
  const leaseMs = o.leaseMs ?? 30_000;
  const report = o.onError ?? warn;
  if (leaseMs <= ctx.options.timeoutMs) {
    configError(
      "sender.worker()",
      `option "leaseMs": must exceed the sender's timeoutMs (${ctx.options.timeoutMs})`,
    );
  }

  let nextRecoveryAt = Number.NEGATIVE_INFINITY;
  /** Finishes sends interrupted between their writes, at most once per lease period. */
  async function recover(): Promise<void> {
    const now = ctx.clock.now();
    if (now < nextRecoveryAt) return;
    nextRecoveryAt = now + leaseMs;
    await finishInterruptedSends(ctx, leaseMs);
  }

  const inflight = new Set<Promise<void>>();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let again = false;

  function track(promise: Promise<void>): void {
    const tracked = promise.catch(report).finally(() => {
      inflight.delete(tracked);
      wake(0); // a slot is free
    });
    inflight.add(tracked);
  }

  function wake(delayMs: number): void {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
  }

  function tick(): void {
    timer = undefined;
    if (!running) return;
    if (ticking !== undefined) {
      again = true;
      return;
    }
    let full = false;
    ticking = (async () => {
      const free = concurrency - inflight.size;
      if (free <= 0) return;
      await recover();
      const claimed = await claimDue(ctx, free, leaseMs);
      full = claimed.length === free;
      for (const delivery of claimed) track(deliver(ctx, delivery));
    })()
      .catch(report)
      .finally(() => {
        ticking = undefined;
        if (timer !== undefined) return;
        const more = again || (full && inflight.size < concurrency);
        again = false;
        wake(more ? 0 : pollIntervalMs);
      });
  }

  return {
    start() {
      if (running) return;
      running = true;
      wake(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await ticking;
      await Promise.all(inflight);
    },
    async runOnce() {
      await recover();
      const claimed = await claimDue(ctx, concurrency, leaseMs);
      const settled = await Promise.allSettled(claimed.map((delivery) => deliver(ctx, delivery)));
      const failure = settled.find((s) => s.status === "rejected");
      if (failure !== undefined) throw failure.reason;
      return claimed.length;
    },
    get running() {
      return running;
    },
  };
}
