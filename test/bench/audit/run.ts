/**
 * The audit benchmark (`@gatehouse/audit`), one run, ceilings measured in the same run:
 *
 * 1. sustained events/s through `createAuditLog` + `recordStoreSink` (batches of 500) into
 *    SQLite (file, WAL, `bulkWrites: "worker"`; also `"inline"` for comparison) and a
 *    throwaway PostgreSQL, next to the ceiling: the same rows by
 *    plain multi-row INSERTs of the same batch size through the same driver, their
 *    parameters laid out before the clock starts (the driver and the database alone);
 * 2. the cost of one `record()` call (tight loop; the queue drained by a flush, untimed).
 *
 *   pnpm bench:audit              # about 40 s on 2 cores; part of `pnpm bench`
 *
 * Results: test/bench/results/audit.json (git-ignored).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../../../scripts/services.mjs";
import {
  envNumber,
  formatRate,
  formatRatio,
  isMain,
  machineInfo,
  printTable,
  printTargets,
  type Target,
  target,
  writeResults,
} from "../report.js";
import { benchInputs, POOL } from "./fixtures.js";
import { chainedEvents, recordCost, sustained } from "./measure.js";
import {
  postgresCeiling,
  postgresLog,
  postgresSink,
  type RoundInput,
  sqliteCeiling,
  sqliteLog,
  sqliteSink,
} from "./stores.js";

/** One database: each subject's rate, total rows ÷ total time over the rounds. */
export interface AuditThroughputRow {
  readonly store: "sqlite" | "postgres";
  /** `createAuditLog` + `recordStoreSink`: record, chain, redact, write. */
  readonly logEventsPerSec: number | null;
  /** `recordStoreSink(...).write()` of the pre-chained events alone (no log): the adapter's share. */
  readonly sinkRowsPerSec: number | null;
  /** Plain multi-row INSERTs of the same rows through the same driver. */
  readonly ceilingRowsPerSec: number | null;
  /** SQLite only: the audit log with `bulkWrites: "inline"` (createMany on the event loop). */
  readonly logInlineEventsPerSec?: number | null;
  readonly error?: string;
}

/** Everything {@link runAuditBench} measured. */
export interface AuditResults {
  readonly kind: "audit";
  readonly startedAt: string;
  readonly machine: Record<string, unknown>;
  readonly config: Record<string, number>;
  readonly throughput: readonly AuditThroughputRow[];
  readonly recordUsPerCall: number | null;
  /** The log alone into a sink that drops everything: chaining, ids, redaction. */
  readonly logAloneEventsPerSec: number | null;
  readonly targets: readonly Target[];
  readonly errors: readonly string[];
}

const errorMessage = (err: unknown) =>
  err instanceof Error ? (err.stack ?? err.message) : String(err);

type Side = (round: number, r: RoundInput) => Promise<number>;
type Sides = Record<"log" | "sink" | "ceiling", Side> & { logInline?: Side };

/** Rounds of the subjects taking turns (order rotated each round); rates over all rounds. */
async function compare(rounds: number, r: RoundInput, sides: Sides) {
  const names = Object.keys(sides) as (keyof Sides)[];
  const seconds: Partial<Record<keyof Sides, number>> = {};
  for (let round = 0; round < rounds; round++) {
    const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
    for (const name of order) {
      seconds[name] = (seconds[name] ?? 0) + r.events.length / (await sides[name]!(round, r));
    }
  }
  const rate = (name: keyof Sides) => {
    const s = seconds[name];
    return s === undefined ? null : (r.events.length * rounds) / s;
  };
  return {
    log: rate("log"),
    sink: rate("sink"),
    ceiling: rate("ceiling"),
    logInline: rate("logInline"),
  };
}

/** Runs both parts; a failing part is reported and the other still runs. */
export async function runAuditBench(options: { quiet?: boolean } = {}): Promise<AuditResults> {
  const log = options.quiet ? () => {} : (line = "") => console.log(line);
  const events = Math.round(envNumber("BENCH_AUDIT_EVENTS", 50_000));
  const rounds = Math.round(envNumber("BENCH_AUDIT_ROUNDS", 3));
  const batchSize = Math.round(envNumber("BENCH_AUDIT_BATCH", 500));
  const calls = Math.round(envNumber("BENCH_AUDIT_RECORD_CALLS", 20_000));
  const startedAt = new Date().toISOString();
  const errors: string[] = [];
  const fail = (part: string, err: unknown) => {
    errors.push(`${part}: ${errorMessage(err)}`);
    console.error(`audit bench, ${part} failed: ${errorMessage(err)}`);
  };
  log(
    `audit: ${events} events × ${rounds} rounds per store, batches of ${batchSize}; record() ${calls} calls × 5 rounds; ${POOL} distinct request events`,
  );

  const inputs = benchInputs();
  const round: RoundInput = {
    inputs,
    events: await chainedEvents(inputs, events, batchSize),
    batchSize,
  };
  const throughput: AuditThroughputRow[] = [];
  const measure = async (store: AuditThroughputRow["store"], sides: Sides) => {
    try {
      const rates = await compare(rounds, round, sides);
      throughput.push({
        store,
        logEventsPerSec: rates.log,
        sinkRowsPerSec: rates.sink,
        ceilingRowsPerSec: rates.ceiling,
        ...(rates.logInline !== null && { logInlineEventsPerSec: rates.logInline }),
      });
    } catch (err) {
      fail(store, err);
      const none = { logEventsPerSec: null, sinkRowsPerSec: null, ceilingRowsPerSec: null };
      throughput.push({ store, ...none, error: String(err) });
    }
  };

  const dir = mkdtempSync(join(tmpdir(), "gh-audit-bench-"));
  try {
    await measure("sqlite", {
      log: (n, r) => sqliteLog(dir, n, r, "worker"),
      sink: (n, r) => sqliteSink(dir, n, r, "worker"),
      logInline: (n, r) => sqliteLog(dir, n, r, "inline"),
      ceiling: (n, r) => sqliteCeiling(dir, n, r),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
  try {
    postgres = await startPostgres();
    const url = postgres.url;
    await measure("postgres", {
      log: (n, r) => postgresLog(url, n, r),
      sink: (n, r) => postgresSink(url, n, r),
      ceiling: (n, r) => postgresCeiling(url, n, r),
    });
  } catch (err) {
    fail("postgres", err);
  } finally {
    await postgres?.cleanup();
  }

  let recordUsPerCall: number | null = null;
  let logAloneEventsPerSec: number | null = null;
  try {
    recordUsPerCall = (await recordCost(inputs, calls, 5, batchSize)).usPerCall;
    const discard = { name: "discard", write: async () => {} };
    logAloneEventsPerSec = (await sustained(discard, inputs, events, batchSize)).eventsPerSec;
  } catch (err) {
    fail("record()", err);
  }

  if (!options.quiet) print(throughput, { recordUsPerCall, logAloneEventsPerSec }, batchSize, log);
  const targets: Target[] = [
    ...throughput.map((row) =>
      target(
        `audit: ${row.store} log events/s / plain multi-row INSERT rows/s`,
        row.logEventsPerSec,
        row.ceilingRowsPerSec,
        0.7,
      ),
    ),
    target("audit: record() budget 5 µs / µs per call", 5, recordUsPerCall, 1),
  ];
  log();
  if (!options.quiet) printTargets(targets);
  return {
    kind: "audit",
    startedAt,
    machine: machineInfo(),
    config: { events, rounds, batchSize, recordCalls: calls, pool: POOL },
    throughput,
    recordUsPerCall,
    logAloneEventsPerSec,
    targets,
    errors,
  };
}

function print(
  rows: readonly AuditThroughputRow[],
  alone: { recordUsPerCall: number | null; logAloneEventsPerSec: number | null },
  batchSize: number,
  log: (line?: string) => void,
): void {
  const us = (rate: number | null) => (rate === null ? "—" : (1e6 / rate).toFixed(1));
  const ratio = (a: number | null, b: number | null) =>
    formatRatio(a !== null && b !== null && b > 0 ? a / b : null);
  log(
    `\n1. sustained events/s, batches of ${batchSize}: createAuditLog + recordStoreSink ("audit log"), the sink alone on pre-chained events ("sink alone"), and plain ${batchSize}-row INSERTs of the same rows ("ceiling")\n`,
  );
  printTable(
    [
      "store",
      "audit log /s",
      "µs",
      "sink alone /s",
      "µs",
      "ceiling /s",
      "µs",
      "log ÷ ceiling",
      "sink ÷ ceiling",
    ],
    rows.map((r) => [
      r.store,
      r.error ? "FAILED" : formatRate(r.logEventsPerSec),
      us(r.logEventsPerSec),
      r.error ? "FAILED" : formatRate(r.sinkRowsPerSec),
      us(r.sinkRowsPerSec),
      r.error ? "FAILED" : formatRate(r.ceilingRowsPerSec),
      us(r.ceilingRowsPerSec),
      ratio(r.logEventsPerSec, r.ceilingRowsPerSec),
      ratio(r.sinkRowsPerSec, r.ceilingRowsPerSec),
    ]),
  );
  log(
    '\nThe log keeps two batches out to a record store (overlapWrites): one is chained and checked while the database writes the other. SQLite runs with bulkWrites: "worker" (createMany on a writer thread with its own connection, as the audit README recommends); PostgreSQL writes the two on two pooled connections, so its log can pass the one-connection ceiling. "sink alone" sends one batch at a time.',
  );
  for (const r of rows) {
    if (r.logInlineEventsPerSec === undefined) continue;
    log(
      `${r.store} with bulkWrites: "inline" (better-sqlite3's INSERT on the event loop, adding to the log's own work): ${formatRate(r.logInlineEventsPerSec)}/s, ${us(r.logInlineEventsPerSec)} µs, ${ratio(r.logInlineEventsPerSec, r.ceilingRowsPerSec)} of the ceiling.`,
    );
  }
  log("\n2. the log without a database\n");
  const { recordUsPerCall: rec, logAloneEventsPerSec: aloneRate } = alone;
  printTable(
    ["what", "µs", "per second"],
    [
      [
        "record() call (tight loop; queue drained by flush(), untimed)",
        rec === null ? "—" : rec.toFixed(2),
        formatRate(rec === null ? null : 1e6 / rec),
      ],
      ["log into a discard sink (chain, ids, redaction)", us(aloneRate), formatRate(aloneRate)],
    ],
  );
}

if (isMain(import.meta.url)) {
  const results = await runAuditBench();
  console.log(`\nwrote ${writeResults("audit.json", results)}`);
  // A measurement, not a test: a MISS or a failed part does not fail the command.
  process.exitCode = 0;
}
