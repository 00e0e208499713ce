/**
 * Verify throughput of ONE Clerk-shaped RS256 token, in-process, against the physical
 * limit (a bare `crypto.verify`) and against peer libraries measured in the same run.
 *
 *   pnpm bench:verify                     # BENCH_VERIFY_TIME_MS=2000 per row by default
 */
import { createPublicKey, verify as cryptoVerify } from "node:crypto";
import { verifyToken as clerkVerifyToken } from "@clerk/backend";
import { clerk, createVerifier } from "@gatehouse/core";
import { importSPKI, jwtVerify } from "jose";
import jwt from "jsonwebtoken";
import { Bench } from "tinybench";
import { AZP, type BenchFixture, createFixture, ISSUER, USER_ID } from "./fixtures.js";
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
} from "./report.js";

/** One measured verifier. */
export interface VerifyRow {
  readonly id: string;
  readonly name: string;
  /** Verifications per second (total operations ÷ total time). */
  readonly opsPerSec: number | null;
  /** Mean time of one verification, in microseconds. */
  readonly meanUs: number | null;
  /** Relative margin of error of the mean, in percent (95 % confidence). */
  readonly rmePct: number | null;
  /** Number of timed batches. */
  readonly samples: number;
  readonly error?: string;
}

/** Everything {@link runVerifyBench} measured. */
export interface VerifyResults {
  readonly kind: "verify";
  readonly startedAt: string;
  readonly machine: Record<string, unknown>;
  readonly config: {
    readonly timeMsPerRow: number;
    readonly warmupMs: number;
    readonly batch: number;
  };
  readonly token: { readonly bytes: number; readonly alg: string; readonly rsaBits: number };
  readonly rows: readonly VerifyRow[];
  readonly targets: readonly Target[];
}

type Op = () => unknown;

interface Case {
  readonly id: string;
  readonly name: string;
  /** Builds the operation and asserts once that it succeeds on the fixture token. */
  prepare(f: BenchFixture): Promise<Op>;
}

function expectUser(label: string, sub: unknown): void {
  if (sub !== USER_ID) throw new Error(`${label}: expected sub ${USER_ID}, got ${String(sub)}`);
}

/** The rows, in print order. Each `prepare` verifies the token once and checks the result. */
const CASES: readonly Case[] = [
  {
    id: "harness-floor",
    name: "harness floor (await of a resolved no-op)",
    async prepare() {
      const value = Promise.resolve(1);
      return async () => value;
    },
  },
  {
    id: "raw",
    name: "node:crypto verify (raw signature only)",
    async prepare(f) {
      // The physical limit: split, decode the signature, one RSA verify. No JSON, no claims.
      const key = createPublicKey(f.pem);
      const op = () => {
        const token = f.token;
        const dot = token.lastIndexOf(".");
        const signature = Buffer.from(token.slice(dot + 1), "base64url");
        return cryptoVerify("sha256", Buffer.from(token.slice(0, dot)), key, signature);
      };
      if (op() !== true) throw new Error("raw: crypto.verify returned false");
      return op;
    },
  },
  {
    id: "gatehouse-cold",
    name: "gatehouse verify, cold (cache: false)",
    async prepare(f) {
      const verifier = createVerifier({
        issuers: [clerk({ jwtKey: f.pem, authorizedParties: [AZP] })],
        cache: false,
      });
      expectUser("gatehouse cold", (await verifier.verify(f.token)).userId);
      return () => verifier.verify(f.token);
    },
  },
  {
    id: "gatehouse-warm",
    name: "gatehouse verify, warm (default cache)",
    async prepare(f) {
      const verifier = createVerifier({
        issuers: [clerk({ jwtKey: f.pem, authorizedParties: [AZP] })],
      });
      expectUser("gatehouse warm", (await verifier.verify(f.token)).userId);
      return () => verifier.verify(f.token);
    },
  },
  {
    id: "jose",
    name: "jose jwtVerify (importSPKI once)",
    async prepare(f) {
      const key = await importSPKI(f.pem, "RS256");
      const options = { issuer: ISSUER, algorithms: ["RS256"] };
      expectUser("jose", (await jwtVerify(f.token, key, options)).payload.sub);
      return () => jwtVerify(f.token, key, options);
    },
  },
  {
    id: "clerk-backend",
    name: "@clerk/backend verifyToken (jwtKey)",
    async prepare(f) {
      const options = { jwtKey: f.pem, authorizedParties: [AZP] };
      expectUser("@clerk/backend", (await clerkVerifyToken(f.token, options)).sub);
      return () => clerkVerifyToken(f.token, options);
    },
  },
  {
    id: "jsonwebtoken-keyobject",
    name: "jsonwebtoken verify (KeyObject)",
    async prepare(f) {
      const key = createPublicKey(f.pem);
      const options: jwt.VerifyOptions & { complete?: false } = { algorithms: ["RS256"] };
      expectUser(
        "jsonwebtoken KeyObject",
        (jwt.verify(f.token, key, options) as jwt.JwtPayload).sub,
      );
      return () => jwt.verify(f.token, key, options);
    },
  },
  {
    id: "jsonwebtoken-pem",
    name: "jsonwebtoken verify (PEM string)",
    async prepare(f) {
      const options: jwt.VerifyOptions & { complete?: false } = { algorithms: ["RS256"] };
      expectUser("jsonwebtoken PEM", (jwt.verify(f.token, f.pem, options) as jwt.JwtPayload).sub);
      return () => jwt.verify(f.token, f.pem, options);
    },
  },
];

/**
 * Runs every row with tinybench. Each timed sample is a batch of `batch` verifications, so
 * timer overhead is amortised and sub-microsecond rows (the warm cache) are not dominated by
 * `performance.now()`; ops/s is total operations ÷ total time (not a mean of per-sample rates).
 */
export async function runVerifyBench(
  options: { fixture?: BenchFixture; quiet?: boolean } = {},
): Promise<VerifyResults> {
  const timeMs = envNumber("BENCH_VERIFY_TIME_MS", 2000);
  const warmupMs = envNumber("BENCH_VERIFY_WARMUP_MS", 500);
  const batch = Math.round(envNumber("BENCH_VERIFY_BATCH", 32));
  const fixture = options.fixture ?? (await createFixture());
  const log = options.quiet ? () => {} : console.log;

  const bench = new Bench({ time: timeMs, warmupTime: warmupMs, warmupIterations: 64 });
  const failed = new Map<string, string>();
  let sink: unknown;
  for (const c of CASES) {
    let op: Op;
    try {
      op = await c.prepare(fixture);
    } catch (err) {
      failed.set(c.id, err instanceof Error ? err.message : String(err));
      continue;
    }
    const probe = op();
    if (probe instanceof Promise) {
      await probe;
      bench.add(c.id, async () => {
        for (let i = 0; i < batch; i++) sink = await op();
      });
    } else {
      bench.add(c.id, () => {
        for (let i = 0; i < batch; i++) sink = op();
      });
    }
  }
  void sink;

  log(
    `verify: ${CASES.length} rows × ${timeMs} ms (+${warmupMs} ms warmup), batches of ${batch}, token ${fixture.token.length} bytes RS256/2048`,
  );
  await bench.run();

  const rows: VerifyRow[] = CASES.map((c) => {
    const result = bench.getTask(c.id)?.result;
    const error = failed.get(c.id) ?? result?.error?.message;
    if (result === undefined || error !== undefined || result.latency === undefined) {
      return {
        id: c.id,
        name: c.name,
        opsPerSec: null,
        meanUs: null,
        rmePct: null,
        samples: 0,
        error: error ?? "no result",
      };
    }
    const meanBatchMs = result.latency.mean;
    return {
      id: c.id,
      name: c.name,
      opsPerSec: (batch * 1000) / meanBatchMs,
      meanUs: (meanBatchMs * 1000) / batch,
      rmePct: result.latency.rme,
      samples: result.latency.samples.length,
    };
  });

  const ops = (id: string) => rows.find((r) => r.id === id)?.opsPerSec ?? null;
  const cold = ops("gatehouse-cold");
  const targets: Target[] = [
    target("verify: gatehouse cold / raw node:crypto", cold, ops("raw"), 0.7),
    target("verify: gatehouse warm / gatehouse cold", ops("gatehouse-warm"), cold, 10),
  ];

  const results: VerifyResults = {
    kind: "verify",
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    config: { timeMsPerRow: timeMs, warmupMs, batch },
    token: { bytes: fixture.token.length, alg: "RS256", rsaBits: 2048 },
    rows,
    targets,
  };
  if (!options.quiet) printVerifyResults(results);
  return results;
}

/** Prints the verify table: ops/s, mean latency, and ratios against raw and Gatehouse cold. */
export function printVerifyResults(results: VerifyResults): void {
  const raw = results.rows.find((r) => r.id === "raw")?.opsPerSec ?? null;
  const cold = results.rows.find((r) => r.id === "gatehouse-cold")?.opsPerSec ?? null;
  console.log();
  printTable(
    ["verify (one token, in-process)", "ops/s", "µs/op", "±%", "÷ raw", "gatehouse cold ÷ row"],
    results.rows.map((r) =>
      r.opsPerSec === null
        ? [r.name, `FAILED: ${r.error}`, "", "", "", ""]
        : [
            r.name,
            formatRate(r.opsPerSec),
            (r.meanUs ?? 0).toFixed(2),
            (r.rmePct ?? 0).toFixed(1),
            raw === null || r.id === "harness-floor" ? "" : formatRatio(r.opsPerSec / raw),
            cold === null || r.id === "harness-floor" ? "" : formatRatio(cold / r.opsPerSec),
          ],
    ),
  );
  console.log();
  printTargets(results.targets);
}

if (isMain(import.meta.url)) {
  const results = await runVerifyBench();
  console.log(`\nwrote ${writeResults("verify.json", results)}`);
}
