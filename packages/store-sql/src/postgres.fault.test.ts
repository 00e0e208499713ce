// Fault test: a loop of key-value operations runs while PostgreSQL stops and
// starts again. Operations must fail with store_unavailable within timeoutMs
// (never hang), the same store object must recover after the restart, and
// every write acknowledged before the stop must survive it.
//
// It uses a private server (scripts/services.mjs startPostgres) rather than the
// shared one, so stopping it cannot break other test files running in parallel
// (the advice of test/setup/control.ts for tests that break a server at will).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../../../scripts/services.mjs";
import { createPostgresStore } from "./index.js";
import { uniquePrefix } from "./internal/test-env.js";

const TIMEOUT_MS = 2000;
/** Scheduling slack on a loaded CI machine. */
const SLACK_MS = 750;

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe.each(["graceful", "kill"] as const)("PostgreSQL %s stop and restart", (mode) => {
  it("fails fast with store_unavailable, recovers, and keeps acknowledged writes", async () => {
    const store = createPostgresStore(server.url, {
      tablePrefix: uniquePrefix("fault"),
      timeoutMs: TIMEOUT_MS,
    });
    await store.migrate();
    const acknowledged = new Map<string, number>();
    let counter = 0;
    let failures = 0;
    let successesAfterRestart = 0;
    let restarted = false;
    const unexpected: unknown[] = [];
    const slow: number[] = [];
    let running = true;

    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const key = `w${w}:k${i}`;
        const started = performance.now();
        try {
          await store.kv.set(key, i);
          acknowledged.set(key, i);
          counter = await store.kv.increment("counter");
          expect(await store.kv.get(key)).toBe(i);
          if (restarted) successesAfterRestart++;
        } catch (err) {
          const elapsed = performance.now() - started;
          if ((err as { code?: unknown }).code !== "store_unavailable") unexpected.push(err);
          // One failed operation (set, increment or get) per iteration.
          if (elapsed > TIMEOUT_MS + SLACK_MS) slow.push(elapsed);
          failures++;
          await sleep(20);
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    try {
      await until(() => acknowledged.size >= 40, "writes before the stop");
      await (mode === "kill" ? server.kill() : server.stop());
      const ackedBeforeStop = new Map(acknowledged);
      const counterBeforeStop = counter;
      await until(() => failures >= 8, "operations to fail while the server is down");
      await server.start();
      restarted = true;
      await until(() => successesAfterRestart >= 20, "operations to succeed after the restart");
      running = false;
      await Promise.all(workers);

      expect(unexpected).toEqual([]);
      expect(slow).toEqual([]);
      for (const [key, value] of ackedBeforeStop) expect(await store.kv.get(key)).toBe(value);
      expect(await store.kv.get<number>("counter")).toBeGreaterThanOrEqual(counterBeforeStop);
    } finally {
      running = false;
      await Promise.allSettled(workers);
      if (!server.running) await server.start();
      await store.close();
    }
  }, 60_000);
});

describe("operations while the server is down", () => {
  it("every kind of operation rejects store_unavailable within timeoutMs", async () => {
    const store = createPostgresStore(server.url, {
      tablePrefix: uniquePrefix("down"),
      timeoutMs: 1000,
    });
    await store.migrate();
    await store.kv.set("before", 1);
    await server.stop();
    try {
      const started = performance.now();
      const results = await Promise.allSettled([
        store.kv.get("before"),
        store.kv.set("x", 1),
        store.kv.consume("before"),
        store.kv.increment("n"),
        store.sweepExpired(),
        store.migrate(),
      ]);
      expect(performance.now() - started).toBeLessThan(1000 + SLACK_MS);
      for (const r of results) {
        expect(r.status).toBe("rejected");
        expect((r as PromiseRejectedResult).reason).toMatchObject({
          code: "store_unavailable",
          status: 503,
        });
      }
    } finally {
      await server.start();
    }
    expect(await store.kv.get("before")).toBe(1);
    await store.close();
  }, 30_000);
});
