/**
 * The sessions benchmark (`@gatehouse/sessions`), one run, peers measured in the same run:
 *
 * 1. the access-token algorithm: raw `node:crypto` sign and verify of RS256, ES256, EdDSA;
 * 2. cold verification of self-issued access tokens (`sessions.issuer()`, revocation check
 *    included) against a raw `crypto.verify` of the same tokens, per algorithm;
 * 3. a warm API key against a warm access token through the same verifier;
 * 4. refreshes per second on SQLite (file, WAL) and a throwaway PostgreSQL server.
 *
 *   pnpm bench:sessions           # about 1½ minutes on 2 cores; part of `pnpm bench`
 *
 * Results: test/bench/results/sessions.json (git-ignored).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Sessions, sessionModels } from "@gatehouse/sessions";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
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
import { type AlgorithmRow, breakEvenVerifies, runAlgorithmBench } from "./algorithms.js";
import { ALGORITHMS, type Algorithm, benchSessions, payloadBytes } from "./fixtures.js";
import { opsPerSec, type Rate } from "./harness.js";
import { IN_FLIGHT, type RefreshRow, runRefreshBench } from "./refresh.js";
import {
  type ColdResult,
  issuePool,
  runColdBench,
  runWarmBench,
  type WarmResult,
} from "./verify.js";

/** Everything {@link runSessionsBench} measured. */
export interface SessionsResults {
  readonly kind: "sessions";
  readonly startedAt: string;
  readonly machine: Record<string, unknown>;
  readonly config: Record<string, number>;
  readonly token: { readonly bytes: Record<string, number>; readonly payloadBytes: number };
  readonly algorithms: readonly AlgorithmRow[];
  readonly cold: readonly ColdResult[];
  readonly warm: WarmResult | null;
  readonly refresh: readonly RefreshRow[];
  readonly createsPerSec: Record<string, Record<string, number>>;
  readonly targets: readonly Target[];
  readonly errors: readonly string[];
}

const errorMessage = (err: unknown) =>
  err instanceof Error ? (err.stack ?? err.message) : String(err);

const usPerOp = (ops: number | null) => (ops === null ? "—" : (1e6 / ops).toFixed(1));
const rateCell = (rate: Rate) =>
  rate.failures > 0 ? `FAILED (${rate.failures} of ${rate.ops})` : formatRate(opsPerSec(rate));

/** Runs the four parts; a failing part is reported and the others still run. */
export async function runSessionsBench(
  options: { quiet?: boolean } = {},
): Promise<SessionsResults> {
  const log = options.quiet ? () => {} : (line = "") => console.log(line);
  const msPerRow = envNumber("BENCH_SESSIONS_TIME_MS", 1500);
  const poolSize = Math.round(envNumber("BENCH_SESSIONS_POOL", 1000));
  const refreshMs = envNumber("BENCH_SESSIONS_REFRESH_MS", 1500);
  const refreshSessions = Math.round(envNumber("BENCH_SESSIONS_SESSIONS", 256));
  const timing = { rounds: 3, msPerRound: msPerRow / 3, warmupMs: 300 };
  const startedAt = new Date().toISOString();
  const errors: string[] = [];
  const fail = (part: string, err: unknown) => {
    errors.push(`${part}: ${errorMessage(err)}`);
    console.error(`sessions bench, ${part} failed: ${errorMessage(err)}`);
  };

  log(
    `sessions: ${msPerRow} ms per verify row (3 interleaved rounds, +${timing.warmupMs} ms warmup), pool of ${poolSize} tokens, ${refreshSessions} sessions × ${refreshMs} ms per refresh phase`,
  );

  // Services and token pools, one per algorithm (memory stores).
  const services = new Map<Algorithm, Sessions>();
  const pools = new Map<Algorithm, string[]>();
  for (const alg of ALGORITHMS) {
    const sessions = benchSessions(alg);
    services.set(alg, sessions);
    pools.set(alg, await issuePool(sessions, poolSize));
  }
  const sample = (alg: Algorithm) => pools.get(alg)![0]!;
  const tokenBytes = Object.fromEntries(ALGORITHMS.map((a) => [a, sample(a).length]));
  log(
    `access tokens: payload ${payloadBytes(sample("RS256"))} bytes of JSON; ${ALGORITHMS.map((a) => `${a} ${tokenBytes[a]} bytes`).join(", ")}\n`,
  );

  // 1. Algorithms.
  let algorithms: AlgorithmRow[] = [];
  try {
    const inputs = Object.fromEntries(
      ALGORITHMS.map((a) => [a, sample(a).slice(0, sample(a).lastIndexOf("."))]),
    ) as Record<Algorithm, string>;
    algorithms = await runAlgorithmBench(inputs, {
      rounds: 2,
      msPerRound: msPerRow / 3,
      warmupMs: 200,
    });
    if (!options.quiet) printAlgorithms(algorithms, log);
  } catch (err) {
    fail("algorithms", err);
  }

  // 2. Cold verify per algorithm.
  const cold: ColdResult[] = [];
  for (const alg of ALGORITHMS) {
    try {
      cold.push(await runColdBench(alg, services.get(alg)!, pools.get(alg)!, timing));
    } catch (err) {
      fail(`cold verify ${alg}`, err);
    }
  }
  if (!options.quiet) printCold(cold, poolSize, log);

  // 3. Warm API key vs warm access token.
  let warm: WarmResult | null = null;
  try {
    warm = await runWarmBench(services.get("RS256")!, sample("RS256"), timing);
    if (!options.quiet) printWarm(warm, cold.find((c) => c.alg === "RS256")?.cold, log);
  } catch (err) {
    fail("warm", err);
  }

  // 4. Refreshes on SQLite and PostgreSQL.
  log(`\nrefresh: ${refreshSessions} sessions per store and algorithm, ${refreshMs} ms per phase`);
  const refresh: RefreshRow[] = [];
  const createsPerSec: Record<string, Record<string, number>> = {};
  const refreshOptions = {
    algorithms: ["RS256", "ES256"] as const,
    sessions: refreshSessions,
    ms: refreshMs,
  };
  const dir = mkdtempSync(join(tmpdir(), "gh-sessions-bench-"));
  try {
    const sqlite = await runRefreshBench(
      "sqlite",
      async (label) => {
        const store = createSqliteStore(join(dir, `${label}.sqlite`), { models: sessionModels });
        await store.migrate();
        return store;
      },
      refreshOptions,
      log,
    );
    refresh.push(...sqlite.rows);
    createsPerSec.sqlite = sqlite.createsPerSec;
  } catch (err) {
    fail("refresh sqlite", err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
  try {
    postgres = await startPostgres();
    const url = postgres.url;
    const pg = await runRefreshBench(
      "postgres",
      async (label) => {
        const store = createPostgresStore(url, {
          models: sessionModels,
          tablePrefix: `bench_${label}_`,
          poolConfig: { max: IN_FLIGHT },
        });
        await store.migrate();
        return store;
      },
      refreshOptions,
      log,
    );
    refresh.push(...pg.rows);
    createsPerSec.postgres = pg.createsPerSec;
  } catch (err) {
    fail("refresh postgres", err);
  } finally {
    await postgres?.cleanup();
  }
  if (!options.quiet) printRefresh(refresh, createsPerSec, log);

  const targets: Target[] = [
    ...ALGORITHMS.map((alg) => {
      const c = cold.find((r) => r.alg === alg);
      return target(
        `sessions: cold verify ${alg} / raw node:crypto ${alg}`,
        opsPerSec(c?.cold),
        opsPerSec(c?.raw),
        0.7,
      );
    }),
    target(
      "sessions: warm API key / warm access token",
      opsPerSec(warm?.apiKey),
      opsPerSec(warm?.jwt),
      0.9,
    ),
  ];
  log();
  if (!options.quiet) printTargets(targets);

  return {
    kind: "sessions",
    startedAt,
    machine: machineInfo(),
    config: { msPerRow, poolSize, refreshMs, refreshSessions, inFlight: IN_FLIGHT },
    token: { bytes: tokenBytes, payloadBytes: payloadBytes(sample("RS256")) },
    algorithms,
    cold,
    warm,
    refresh,
    createsPerSec,
    targets,
    errors,
  };
}

function printAlgorithms(rows: readonly AlgorithmRow[], log: (line?: string) => void): void {
  const rs = rows.find((r) => r.alg === "RS256");
  log(
    "1. access-token algorithm (raw node:crypto, one KeyObject, signing input of a real access token)\n",
  );
  printTable(
    [
      "algorithm",
      "key",
      "sign ops/s",
      "µs/sign",
      "verify ops/s",
      "µs/verify",
      "verify ÷ RS256",
      "sign ÷ RS256",
      "token bytes",
      "RS256 cheaper after n verifies/token",
    ],
    rows.map((r) => {
      const even = rs === undefined || r === rs ? null : breakEvenVerifies(rs, r);
      return [
        r.alg,
        r.key,
        formatRate(r.signOpsPerSec),
        usPerOp(r.signOpsPerSec),
        formatRate(r.verifyOpsPerSec),
        usPerOp(r.verifyOpsPerSec),
        formatRatio(
          rs?.verifyOpsPerSec && r.verifyOpsPerSec ? r.verifyOpsPerSec / rs.verifyOpsPerSec : null,
        ),
        formatRatio(
          rs?.signOpsPerSec && r.signOpsPerSec ? r.signOpsPerSec / rs.signOpsPerSec : null,
        ),
        String(r.tokenBytes),
        r === rs
          ? ""
          : even === null
            ? "—"
            : Number.isFinite(even)
              ? `${Math.ceil(even)}`
              : "never",
      ];
    }),
  );
}

function printCold(
  results: readonly ColdResult[],
  poolSize: number,
  log: (line?: string) => void,
): void {
  log(
    `\n2. cold verify: createVerifier({ issuers: [sessions.issuer()], cache: false }).authenticateSync(), ${poolSize} distinct tokens round-robin, revocation check included\n`,
  );
  printTable(
    [
      "algorithm",
      "raw crypto.verify ops/s",
      "gatehouse cold ops/s",
      "µs raw",
      "µs cold",
      "µs added",
      "cold ÷ raw",
    ],
    results.map((c) => {
      const raw = opsPerSec(c.raw);
      const cold = opsPerSec(c.cold);
      return [
        c.alg,
        rateCell(c.raw),
        rateCell(c.cold),
        usPerOp(raw),
        usPerOp(cold),
        raw === null || cold === null ? "—" : (1e6 / cold - 1e6 / raw).toFixed(1),
        formatRatio(raw === null || cold === null ? null : cold / raw),
      ];
    }),
  );
}

function printWarm(
  warm: WarmResult,
  rs256Cold: Rate | undefined,
  log: (line?: string) => void,
): void {
  log(
    "\n3. warm cache: createVerifier({ issuers: [sessions.issuer(), sessions.apiKeyIssuer()] }) (default cache), both seen once\n",
  );
  const jwt = opsPerSec(warm.jwt);
  const cold = opsPerSec(rs256Cold);
  printTable(
    ["credential", "bytes", "ops/s", "µs/op", "÷ warm access token", "÷ cold RS256"],
    [
      ["access token (RS256), warm", warm.jwtBytes, warm.jwt] as const,
      ["API key (gh_sk_…), warm", warm.apiKeyBytes, warm.apiKey] as const,
    ].map(([name, bytes, rate]) => {
      const ops = opsPerSec(rate);
      return [
        name,
        String(bytes),
        rateCell(rate),
        usPerOp(ops),
        formatRatio(ops !== null && jwt !== null ? ops / jwt : null),
        formatRatio(ops !== null && cold !== null ? ops / cold : null),
      ];
    }),
  );
}

function printRefresh(
  rows: readonly RefreshRow[],
  creates: Record<string, Record<string, number>>,
  log: (line?: string) => void,
): void {
  log("\n4. refreshes/s (sessions.refresh: rotate the refresh token, sign a new access token)\n");
  const key = (r: RefreshRow) => `${r.store}|${r.what}`;
  const groups = [...new Set(rows.map(key))];
  const at = (k: string, inFlight: number) =>
    rows.find((r) => key(r) === k && r.inFlight === inFlight);
  const cell = (r: RefreshRow | undefined) =>
    r === undefined ? "—" : r.opsPerSec === null ? `FAILED: ${r.error}` : formatRate(r.opsPerSec);
  printTable(
    [
      "store",
      "access token",
      "1 in flight",
      `${IN_FLIGHT} in flight`,
      `sign-ins/s (${IN_FLIGHT} in flight)`,
      `÷ store calls only @${IN_FLIGHT}`,
    ],
    groups.map((k) => {
      const [store, what] = k.split("|") as [string, string];
      const ceiling = at(`${store}|store calls only`, IN_FLIGHT)?.opsPerSec ?? null;
      const conc = at(k, IN_FLIGHT)?.opsPerSec ?? null;
      const created = creates[store]?.[what];
      return [
        store,
        what,
        cell(at(k, 1)),
        cell(at(k, IN_FLIGHT)),
        created === undefined ? "" : formatRate(created),
        what === "store calls only"
          ? ""
          : formatRatio(ceiling !== null && conc !== null ? conc / ceiling : null),
      ];
    }),
  );
  log(
    `\n"store calls only": the refresh's four store calls (find by hash, grace setIfAbsent, versioned update, used-token insert) replayed without signing — a ceiling, not a peer.`,
  );
}

if (isMain(import.meta.url)) {
  const results = await runSessionsBench();
  console.log(`\nwrote ${writeResults("sessions.json", results)}`);
  // A measurement, not a test: a MISS or a failed part does not fail the command.
  process.exitCode = 0;
}
