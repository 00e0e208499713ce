// Faults: Redis goes away under load and comes back. Operations must fail fast
// with store_unavailable while it is down, the same store object must work
// again after the restart, and no write acknowledged before the stop may be
// missing afterwards.
//
// The shared test Redis (test/setup/services.ts) runs without persistence, so
// a restart empties it by design. A Redis that backs single-use secrets in
// production needs AOF (see README), and this file tests exactly that set-up:
// a private redis-server with `appendonly yes` + `appendfsync always`, killed
// with SIGKILL (no chance to flush anything on the way out).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore } from "./index.js";

const TIMEOUT_MS = 500;
/** Allowance over timeoutMs for a rejection (timers, event loop under load). */
const MARGIN_MS = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A private redis-server with AOF fsynced on every write, on a fixed port and directory. */
class PersistentRedis {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "gatehouse-store-redis-"));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      "redis-server",
      [
        ...["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir],
        ...["--appendonly", "yes", "--appendfsync", "always", "--save", ""],
        ...["--daemonize", "no"],
      ],
      { stdio: "ignore" },
    );
    this.child = child;
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
    probe.on("error", () => {});
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error("redis-server exited on start");
        const ok = await probe
          .connect()
          .then(() => probe.ping())
          .catch(() => undefined);
        if (ok === "PONG") return;
        probe.disconnect();
        if (Date.now() > deadline) throw new Error("redis-server did not start within 10 s");
        await sleep(25);
      }
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: the harshest stop; only what was fsynced survives. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.child = undefined;
  }

  async cleanup(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe("createRedisStore under faults (Redis with AOF, killed and restarted)", () => {
  let server: PersistentRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = new PersistentRedis(await freePort());
    await server.start();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.cleanup();
  });

  it.each([
    ["recommended settings", { enableOfflineQueue: false, maxRetriesPerRequest: 1 }],
    ["ioredis defaults", {}],
  ] as [string, RedisOptions][])(
    "fails fast while Redis is down, recovers, and loses no acknowledged write: %s",
    async (label, options) => {
      const client = new Redis(server.url, {
        ...options,
        // With the offline queue off, commands sent before "ready" fail: connect first.
        lazyConnect: true,
        // Reconnect quickly so the test does not wait out the default back-off.
        retryStrategy: (times) => Math.min(times * 20, 200),
      });
      client.on("error", () => {});
      clients.push(client);
      await client.connect();
      const store = createRedisStore(client, {
        prefix: `faults:${label.replaceAll(" ", "-")}:`,
        timeoutMs: TIMEOUT_MS,
      });

      // Writers run until told to stop; every resolved write is "acknowledged".
      const acknowledged = new Map<string, number>();
      let counter = 0;
      const consumable = new Set<string>();
      let running = true;
      let seq = 0;
      const writer = async (w: number) => {
        while (running) {
          const i = seq++;
          const key = `w${w}:${i}`;
          try {
            switch (i % 3) {
              case 0:
                await store.set(key, { i }, { ttlMs: 600_000 });
                acknowledged.set(key, i);
                break;
              case 1:
                if (await store.setIfAbsent(key, { i })) acknowledged.set(key, i);
                consumable.add(key);
                break;
              default:
                counter = Math.max(counter, await store.increment("counter"));
            }
          } catch (err) {
            expect(err).toMatchObject({ code: "store_unavailable" });
            await sleep(5);
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      await sleep(200);
      expect(acknowledged.size).toBeGreaterThan(10);

      await server.kill();
      // While down: every operation rejects with store_unavailable within the timeout.
      for (let round = 0; round < 3; round++) {
        const ops = [
          store.get("w0:0"),
          store.set("down", 1),
          store.setIfAbsent("down", 1),
          store.consume("down"),
          store.increment("down"),
          store.delete("down"),
        ];
        for (const op of ops) {
          const started = performance.now();
          await expect(op).rejects.toMatchObject({ code: "store_unavailable", status: 503 });
          expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        }
      }
      running = false;
      await Promise.all(writers);
      const counterBefore = counter;

      await server.start();
      // The same store object works again once ioredis has reconnected.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const ok = await store.set("probe", true).then(
          () => true,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error("the store did not recover within 10 s");
        await sleep(50);
      }

      // Every acknowledged write is still there.
      const missing: string[] = [];
      for (const [key, i] of acknowledged) {
        const value = await store.get<{ i: number }>(key);
        if (value?.i !== i) missing.push(key);
      }
      expect(missing).toEqual([]);
      // Counter never goes backwards: at least every acknowledged increment survived.
      expect(await store.increment("counter", { by: 0 })).toBeGreaterThanOrEqual(counterBefore);

      // Full behaviour is back: consume, setIfAbsent, delete.
      const someKey = [...consumable].find((k) => acknowledged.has(k));
      if (someKey) {
        expect(await store.consume(someKey)).toEqual({ i: acknowledged.get(someKey) });
        expect(await store.consume(someKey)).toBeUndefined();
      }
      expect(await store.setIfAbsent("after", 1)).toBe(true);
      expect(await store.delete("after")).toBe(true);
    },
    30_000,
  );
});
