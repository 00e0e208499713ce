/**
 * Store benchmark: ops/s of `consume` and `increment` for every shipped adapter
 * at 1, 8 and 64 operations in flight, next to the ceiling measured in the same
 * run by the server's own tool (`redis-benchmark -t set,get -c 64`, and
 * `pgbench -c 64` running the adapter's own statements).
 *
 *   pnpm bench:stores            (BENCH_STORES_SCALE=0.5 for a quicker run)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createMemoryKeyValueStore, type KeyValueStore } from "@gatehouse/core/store";
import { createRedisStore } from "@gatehouse/store-redis";
import { createPostgresStore, createSqliteStore, type SqlStore } from "@gatehouse/store-sql";
import { Redis } from "ioredis";
import pg from "pg";
import { startPostgres, startRedis } from "../../../scripts/services.mjs";
import {
  envNumber,
  formatRate,
  formatRatio,
  machineInfo,
  printTable,
  printTargets,
  type Target,
  target,
  writeResults,
} from "../report.js";

const run = promisify(execFile);
const IN_FLIGHT = [1, 8, 64] as const;
const SCALE = envNumber("BENCH_STORES_SCALE", 1);
const COUNTERS = 1000;
const TTL_MS = 600_000;

type Op = "consume" | "increment";
interface Row {
  adapter: string;
  op: Op;
  inFlight: number;
  opsPerSec: number;
}

/** Runs `total` operations with `inFlight` of them outstanding at any time. */
async function drive(
  inFlight: number,
  total: number,
  op: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < total; i = next++) await op(i);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Measures consume (of keys set beforehand, untimed) and increment (over 1000
 * counters); each figure is the median of `rounds` runs of `baseOps` operations.
 */
async function measure(
  adapter: string,
  store: KeyValueStore,
  baseOps: number,
  rounds = 1,
): Promise<Row[]> {
  const rows: Row[] = [];
  const id = adapter.replace(/\W+/g, "-");
  for (const inFlight of IN_FLIGHT) {
    const total = Math.max(200, Math.round(baseOps * SCALE * (inFlight === 1 ? 0.25 : 1)));
    const consumes: number[] = [];
    const increments: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const run = `${id}:${inFlight}:${round}:${Date.now()}`;
      const value = (i: number) => ({ challenge: "x".repeat(32), n: i });
      await drive(64, total, (i) => store.set(`c:${run}:${i}`, value(i), { ttlMs: TTL_MS }));
      consumes.push(
        await drive(inFlight, total, async (i) => {
          if ((await store.consume(`c:${run}:${i}`)) === undefined)
            throw new Error("consume missed a key");
        }),
      );
      increments.push(
        await drive(inFlight, total, (i) =>
          store.increment(`n:${run}:${i % COUNTERS}`, { ttlMs: TTL_MS }),
        ),
      );
    }
    const consume = median(consumes);
    const increment = median(increments);
    rows.push({ adapter, op: "consume", inFlight, opsPerSec: consume });
    rows.push({ adapter, op: "increment", inFlight, opsPerSec: increment });
    console.log(
      `  ${adapter.padEnd(14)} in flight ${String(inFlight).padStart(2)}: consume ${formatRate(consume)}/s, increment ${formatRate(increment)}/s`,
    );
  }
  return rows;
}

/** `redis-benchmark -t set,get -c 64`: requests/s of SET and GET. */
async function redisBenchmark(port: number): Promise<Record<string, number>> {
  const n = String(Math.round(200_000 * SCALE));
  const { stdout } = await run("redis-benchmark", [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-t",
    "set,get",
    "-c",
    "64",
    "-n",
    n,
    "--csv",
  ]);
  const out: Record<string, number> = {};
  for (const line of stdout.split("\n")) {
    const m = /^"(SET|GET)","([\d.]+)"/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** `pgbench -c 64` running the adapter's consume and increment statements (same SQL, same table). */
async function pgbench(url: string, table: string): Promise<Record<Op, number>> {
  const u = new URL(url);
  const dir = mkdtempSync(join(tmpdir(), "gh-pgbench-"));
  const now = Date.now();
  const expired = `(${table}."expires_at" IS NOT NULL AND ${table}."expires_at" <= ${now})`;
  const current = `${table}."value"::bigint`;
  const scripts: Record<Op, string> = {
    consume: `\\set k random(1, 1000000)\nDELETE FROM ${table} WHERE "key" = 'pgb:' || :k AND ("expires_at" IS NULL OR "expires_at" > ${now}) RETURNING "value";\n`,
    increment: `\\set k random(1, ${COUNTERS})\nINSERT INTO ${table} ("key", "value", "expires_at") VALUES ('pgn:' || :k, '1', ${now + TTL_MS})
ON CONFLICT ("key") DO UPDATE SET "value" = CASE WHEN ${expired} THEN excluded."value" ELSE (${current} + CAST(1 AS bigint))::text END,
"expires_at" = CASE WHEN ${expired} THEN excluded."expires_at" ELSE ${table}."expires_at" END
WHERE ${expired} OR CASE WHEN ${table}."value" ~ '^-?[0-9]{1,16}$' THEN abs(${current}) <= 9007199254740991 AND abs(${current} + CAST(1 AS bigint)) <= 9007199254740991 ELSE false END
RETURNING "value";\n`,
  };
  // Keys for consume to find: a million of them, so the run never runs dry.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `INSERT INTO ${table} ("key", "value", "expires_at") SELECT 'pgb:' || g, '{"challenge":"x"}', ${now + TTL_MS} FROM generate_series(1, 1000000) g ON CONFLICT DO NOTHING`,
  );
  await client.end();
  const out = {} as Record<Op, number>;
  try {
    for (const op of ["consume", "increment"] as const) {
      const file = join(dir, `${op}.sql`);
      writeFileSync(file, scripts[op]);
      const seconds = String(Math.max(2, Math.round(6 * SCALE)));
      const { stdout } = await run("pgbench", [
        "-n",
        "-M",
        "prepared",
        "-c",
        "64",
        "-j",
        "2",
        "-T",
        seconds,
        "-f",
        file,
        "-h",
        "127.0.0.1",
        "-p",
        u.port,
        "-U",
        "postgres",
        u.pathname.slice(1),
      ]);
      out[op] = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  console.log(`gatehouse store bench — node ${process.version}, ${machineInfo().cores} cores\n`);
  const rows: Row[] = [];
  const postgres = await startPostgres();
  const redisServer = await startRedis();
  const sqliteDir = mkdtempSync(join(tmpdir(), "gh-sqlite-bench-"));
  const open: SqlStore[] = [];
  const clients: Redis[] = [];
  const pools: pg.Pool[] = [];
  try {
    rows.push(
      ...(await measure(
        "memory",
        createMemoryKeyValueStore({ maxEntries: 1_000_000 }),
        100_000,
        5,
      )),
    );

    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    clients.push(redis);
    rows.push(...(await measure("redis", createRedisStore(redis), 60_000)));

    const sqlite = createSqliteStore(join(sqliteDir, "bench.sqlite"));
    open.push(sqlite);
    await sqlite.migrate();
    rows.push(...(await measure("sqlite (file)", sqlite.kv, 20_000)));

    const pool = new pg.Pool({ connectionString: postgres.url, max: 64 });
    pools.push(pool);
    const pgStore = createPostgresStore(pool);
    await pgStore.migrate();
    rows.push(...(await measure("postgres", pgStore.kv, 15_000)));
    // Free the 64 connections before pgbench opens its own 64.
    await pgStore.close();
    await pool.end();
    pools.length = 0;

    console.log("\nceilings (the servers' own tools, 64 connections):");
    const redisCeiling = await redisBenchmark(redisServer.port);
    console.log(
      `  redis-benchmark: SET ${formatRate(redisCeiling.SET)}/s, GET ${formatRate(redisCeiling.GET)}/s`,
    );
    const pgCeiling = await pgbench(postgres.url, "gh_kv");
    console.log(
      `  pgbench (adapter statements): consume ${formatRate(pgCeiling.consume)}/s, increment ${formatRate(pgCeiling.increment)}/s`,
    );

    const at = (adapter: string, op: Op, inFlight: number) =>
      rows.find((r) => r.adapter === adapter && r.op === op && r.inFlight === inFlight)?.opsPerSec;
    console.log("");
    printTable(
      ["adapter", "op", ...IN_FLIGHT.map((n) => `${n} in flight`), "ceiling @64", "÷ ceiling"],
      [...new Set(rows.map((r) => r.adapter))].flatMap((adapter) =>
        (["consume", "increment"] as const).map((op) => {
          const ceiling =
            adapter === "redis"
              ? op === "consume"
                ? redisCeiling.GET
                : redisCeiling.SET
              : adapter === "postgres"
                ? pgCeiling[op]
                : undefined;
          return [
            adapter,
            op,
            ...IN_FLIGHT.map((n) => formatRate(at(adapter, op, n))),
            ceiling === undefined ? "—" : formatRate(ceiling),
            ceiling === undefined ? "—" : formatRatio((at(adapter, op, 64) ?? 0) / ceiling),
          ];
        }),
      ),
    );
    const targets: Target[] = [
      target(
        "redis consume @64 / redis-benchmark GET",
        at("redis", "consume", 64),
        redisCeiling.GET,
        0.5,
      ),
      target(
        "redis increment @64 / redis-benchmark SET",
        at("redis", "increment", 64),
        redisCeiling.SET,
        0.5,
      ),
      target(
        "postgres consume @64 / pgbench (same statement)",
        at("postgres", "consume", 64),
        pgCeiling.consume,
        0.5,
      ),
      target(
        "postgres increment @64 / pgbench (same statement)",
        at("postgres", "increment", 64),
        pgCeiling.increment,
        0.5,
      ),
      target("memory consume @64 / 1M ops/s", at("memory", "consume", 64), 1_000_000, 1),
      target("memory increment @64 / 1M ops/s", at("memory", "increment", 64), 1_000_000, 1),
    ];
    console.log("");
    printTargets(targets);
    console.log(
      `\nwrote ${writeResults("stores", { machine: machineInfo(), rows, redisCeiling, pgCeiling, targets })}`,
    );
  } finally {
    for (const c of clients) c.disconnect();
    for (const s of open) await s.close().catch(() => {});
    for (const p of pools) await p.end().catch(() => {});
    await redisServer.cleanup();
    await postgres.cleanup();
    rmSync(sqliteDir, { recursive: true, force: true });
  }
}

await main();
