// Fault tests, bounded and on loopback only:
// (a) PostgreSQL stops for 10 s while 10,000 events are recorded: after it is
//     back and the log flushed, each event is in PostgreSQL exactly once and
//     every stream's chain is whole;
// (b) a process spooling events (its sink down) is SIGKILLed mid-batch: a new
//     log on the same spool directory delivers every event it had reported
//     spooled, exactly once.
//
// (a) stops a private PostgreSQL (scripts/services.mjs startPostgres) rather
// than the run's shared one (test/setup/control.ts withServiceStopped): the
// shared server serves every other test file running in parallel, which a
// 10 s outage would break (the advice of control.ts, and what
// packages/store-sql/src/postgres.fault.test.ts does). `withStopped` below
// has withServiceStopped's contract: the server always starts again.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, pgQuery, startPostgres } from "../../../../scripts/services.mjs";
import { auditModels } from "../model.js";
import { recordStoreSink } from "../sinks/record-store.js";
import { createAuditLog } from "./create.js";
import type { AuditLogFailure } from "./report.js";
import { storedEvents } from "./test-backends.js";
import { chainProblems, tempDir, waitFor } from "./test-helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, "../../../..");
const WORKER = join(here, "fixtures/spool-worker.ts");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `fn` while `server` is down, and always starts it again afterwards. */
async function withStopped<T>(server: PostgresServer, fn: () => Promise<T>): Promise<T> {
  await server.stop();
  try {
    return await fn();
  } finally {
    await server.start();
  }
}

describe("PostgreSQL down for 10 s while 10,000 events are recorded", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
  });

  it("ends with each event in PostgreSQL exactly once and every chain whole", async () => {
    const prefix = `t_audit_fault_${randomBytes(3).toString("hex")}_`;
    const store = createPostgresStore(server.url, {
      models: auditModels,
      tablePrefix: prefix,
      timeoutMs: 1000,
    });
    cleanups.push(() => store.close());
    await store.migrate();
    const spool = tempDir();
    cleanups.push(spool.remove);
    const failures: AuditLogFailure[] = [];
    // Two logs (two streams, as two processes would write) share the store.
    const logs = [0, 1].map(() =>
      createAuditLog({
        sinks: [recordStoreSink(store.records)],
        spoolDir: join(spool.dir, randomBytes(4).toString("hex")),
        batchSize: 200,
        flushIntervalMs: 50,
        onError: (f) => void failures.push(f),
      }),
    );
    let n = 0;
    /** Records `count` events, 50 at a time, spread over about `ms`. */
    const recordFor = async (count: number, ms: number) => {
      const rounds = count / 50;
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < 50; k++)
          logs[n % 2]!.record({ action: "fault.event", metadata: { n: n++ } });
        await sleep(ms / rounds);
      }
    };

    await recordFor(2000, 500);
    let stoppedAt = 0;
    await withStopped(server, async () => {
      stoppedAt = performance.now();
      await recordFor(6000, 9000);
      await sleep(Math.max(0, 10_000 - (performance.now() - stoppedAt)));
    });
    const spooled = logs.reduce((sum, log) => sum + log.stats.spooled, 0);
    await recordFor(2000, 500);
    for (const log of logs) await log.flush();
    for (const log of logs) await log.close();

    expect(n).toBe(10_000);
    expect(spooled).toBeGreaterThan(0); // the outage was felt
    for (const log of logs) expect(log.stats).toMatchObject({ lost: 0, queued: 0 });
    expect(failures.filter((f) => f.kind !== "sink")).toEqual([]);
    const [[rows, distinct]] = (await pgQuery(
      server.url,
      `SELECT count(*), count(DISTINCT id) FROM "${prefix}gh_audit_event"`,
    )) as [[string, string]];
    expect([Number(rows), Number(distinct)]).toEqual([10_000, 10_000]);
    const events = await storedEvents(store.records);
    expect(new Set(events.map((e) => (e.metadata as { n: number }).n)).size).toBe(10_000);
    expect(new Set(events.map((e) => e.stream))).toEqual(new Set(logs.map((l) => l.stream)));
    expect(chainProblems(events)).toEqual([]);
  }, 90_000);
});

describe("a spooling process SIGKILLed mid-batch", () => {
  it("leaves a spool a new log delivers completely, each event once", async () => {
    const spool = tempDir();
    cleanups.push(spool.remove);
    const child: ChildProcess = spawn(
      process.execPath,
      ["--conditions=@gatehouse/source", "--import", "tsx", WORKER],
      {
        cwd: ROOT,
        env: { ...process.env, GH_AUDIT_SPOOL_DIR: spool.dir },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    cleanups.push(() => void child.kill("SIGKILL"));
    let output = "";
    child.stdout!.on("data", (d) => {
      output += d;
    });
    child.stderr!.on("data", (d) => {
      output += d;
    });
    const reported = () => {
      const lines = output.split("\n").filter((l) => l.startsWith("spooled "));
      const [, n, stream] = lines.at(-1)?.split(" ") ?? [];
      return { n: Number(n ?? 0), stream: stream ?? "" };
    };
    await waitFor(
      () => reported().n >= 3000 || child.exitCode !== null,
      "the child to spool 3000 events",
      30_000,
    );
    expect(child.exitCode, output).toBeNull();
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL"); // it is recording and spooling without pause: this lands mid-batch
    await exited;
    const { n, stream } = reported();
    expect(n).toBeGreaterThanOrEqual(3000);

    const store = createSqliteStore(":memory:", { models: auditModels });
    await store.migrate();
    cleanups.push(() => store.close());
    const failures: AuditLogFailure[] = [];
    const log = createAuditLog({
      sinks: [recordStoreSink(store.records)],
      spoolDir: spool.dir,
      onError: (f) => void failures.push(f),
    });
    await log.flush();
    await log.close();

    const events = (await storedEvents(store.records)).filter((e) => e.stream === stream);
    const ids = new Set(events.map((e) => e.id));
    expect(ids.size).toBe(events.length); // exactly once
    const seqs = new Set(events.map((e) => e.seq));
    for (let seq = 1; seq <= n; seq++) {
      if (!seqs.has(seq)) throw new Error(`event ${seq} of the ${n} reported spooled is missing`);
    }
    expect(events.length).toBeGreaterThanOrEqual(n); // and perhaps some spooled after the last report
    expect(chainProblems(events)).toEqual([]);
    expect(log.stats.lost).toBe(0);
    // At most one torn line, from the write the kill interrupted.
    expect(failures.filter((f) => f.kind === "lost")).toEqual([]);
    expect(failures.filter((f) => f.kind === "spool").length).toBeLessThanOrEqual(1);
  }, 60_000);
});
