/**
 * One round of the audit bench on one database: the audit log through `recordStoreSink` into
 * a fresh `gh_audit_event` table, and the ceiling into another fresh table migrated the same
 * way. Each checks afterwards that its table holds every row.
 */
import { join } from "node:path";
import {
  type AuditEvent,
  type AuditEventInput,
  auditEventModel,
  auditModels,
  recordStoreSink,
} from "@gatehouse/audit";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import Database from "better-sqlite3";
import pg from "pg";
import { postgresInserter, runCeiling, sqliteInserter } from "./ceiling.js";
import { eventRow } from "./fixtures.js";
import { type SustainedRun, sinkOnly, sustained } from "./measure.js";

/** What a round needs. */
export interface RoundInput {
  readonly inputs: readonly AuditEventInput[];
  readonly events: readonly AuditEvent[];
  readonly batchSize: number;
}

/** The table of the SQLite runs (`tablePrefix` + the model's name). */
const PREFIX = "bench_";
const TABLE = `${PREFIX}${auditEventModel.name}`;

function expectRows(what: string, count: number, expected: number): void {
  if (count !== expected)
    throw new Error(`${what}: ${count} rows in the table, expected ${expected}`);
}

function expectClean(run: SustainedRun, total: number): void {
  const { written, spooled, lost } = run.stats;
  if (written !== total || spooled !== 0 || lost !== 0) {
    throw new Error(`audit log: written ${written} of ${total}, spooled ${spooled}, lost ${lost}`);
  }
}

/** Where store-sql runs createMany on SQLite: `"worker"` is what the audit README recommends. */
export type BulkWrites = "worker" | "inline";

/** A store-sql store on `file` with `auditModels` migrated. */
async function openSqlite(file: string, bulkWrites: BulkWrites) {
  const store = createSqliteStore(file, {
    models: [...auditModels],
    tablePrefix: PREFIX,
    bulkWrites,
  });
  await store.migrate();
  return store;
}

/** The audit log into `<dir>/log-<bulkWrites>-<round>.sqlite` (WAL). */
export async function sqliteLog(
  dir: string,
  round: number,
  r: RoundInput,
  bulkWrites: BulkWrites,
): Promise<number> {
  const file = join(dir, `log-${bulkWrites}-${round}.sqlite`);
  const store = await openSqlite(file, bulkWrites);
  let run: SustainedRun;
  try {
    run = await sustained(recordStoreSink(store.records), r.inputs, r.events.length, r.batchSize);
  } finally {
    await store.close();
  }
  expectClean(run, r.events.length);
  const db = new Database(file, { readonly: true });
  const { n } = db.prepare(`SELECT count(*) AS n FROM "${TABLE}"`).get() as { n: number };
  db.close();
  expectRows("sqlite audit log", n, r.events.length);
  return run.eventsPerSec;
}

/** The pre-chained rows through `recordStoreSink(...).write()` alone (no log, one write at a time). */
export async function sqliteSink(
  dir: string,
  round: number,
  r: RoundInput,
  bulkWrites: BulkWrites,
): Promise<number> {
  const file = join(dir, `sink-${bulkWrites}-${round}.sqlite`);
  const store = await openSqlite(file, bulkWrites);
  try {
    return await sinkOnly(recordStoreSink(store.records), r);
  } finally {
    await store.close();
  }
}

/** The ceiling into `<dir>/ceiling-<round>.sqlite`: same migration, same WAL mode, same driver. */
export async function sqliteCeiling(dir: string, round: number, r: RoundInput): Promise<number> {
  const db = new Database(join(dir, `ceiling-${round}.sqlite`));
  db.pragma("journal_mode = WAL");
  try {
    const store = createSqliteStore(db, { models: [...auditModels], tablePrefix: PREFIX });
    await store.migrate();
    await store.close();
    const rows = r.events.map((e) => eventRow(e, Date.now()));
    const rate = await runCeiling(sqliteInserter(db, TABLE), rows, r.batchSize);
    const { n } = db.prepare(`SELECT count(*) AS n FROM "${TABLE}"`).get() as { n: number };
    expectRows("sqlite ceiling", n, rows.length);
    return rate;
  } finally {
    db.close();
  }
}

async function countRows(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** The audit log into a fresh table prefix on PostgreSQL. */
export async function postgresLog(url: string, round: number, r: RoundInput): Promise<number> {
  const prefix = `log_r${round}_`;
  const store = createPostgresStore(url, { models: [...auditModels], tablePrefix: prefix });
  await store.migrate();
  let run: SustainedRun;
  try {
    run = await sustained(recordStoreSink(store.records), r.inputs, r.events.length, r.batchSize);
  } finally {
    await store.close();
  }
  expectClean(run, r.events.length);
  expectRows(
    "postgres audit log",
    await countRows(url, `${prefix}${auditEventModel.name}`),
    r.events.length,
  );
  return run.eventsPerSec;
}

/** The pre-chained rows through `recordStoreSink(...).write()` alone, into a fresh table prefix. */
export async function postgresSink(url: string, round: number, r: RoundInput): Promise<number> {
  const store = createPostgresStore(url, {
    models: [...auditModels],
    tablePrefix: `sink_r${round}_`,
  });
  await store.migrate();
  try {
    return await sinkOnly(recordStoreSink(store.records), r);
  } finally {
    await store.close();
  }
}

/** The ceiling into another fresh table prefix, through one pg connection. */
export async function postgresCeiling(url: string, round: number, r: RoundInput): Promise<number> {
  const prefix = `ceil_r${round}_`;
  const store = createPostgresStore(url, { models: [...auditModels], tablePrefix: prefix });
  await store.migrate();
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = r.events.map((e) => eventRow(e, Date.now()));
    const rate = await runCeiling(
      await postgresInserter(client, `${prefix}${auditEventModel.name}`),
      rows,
      r.batchSize,
    );
    expectRows(
      "postgres ceiling",
      await countRows(url, `${prefix}${auditEventModel.name}`),
      rows.length,
    );
    return rate;
  } finally {
    await client.end();
  }
}
