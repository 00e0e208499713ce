/**
 * Requests per second of one protected GET route, each server in its own child process, all
 * measured in the same run with autocannon from this (parent) process.
 *
 *   pnpm bench:http
 *
 * Environment: BENCH_DURATION (s per measurement, 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS
 * (50), BENCH_ROUNDS (1; with more, each row is the median of its rounds), BENCH_ONLY (comma-
 * separated row ids), BENCH_PIN=0 (do not pin autocannon and the server to separate cores).
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { serveJwks } from "@gatehouse/testing";
import autocannon from "autocannon";
import { type BenchFixture, createFixture, USER_ID } from "./fixtures.js";
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
import type { ServerConfig } from "./servers/config.js";

/** One server the bench starts. */
interface Variant {
  readonly id: string;
  readonly name: string;
  /** Module under `servers/`. */
  readonly module: string;
  readonly options?: Partial<ServerConfig>;
  /** Whether it must refuse a missing or forged token with 401 (baselines answer 200). */
  readonly auth: boolean;
  /** Which token it is sent: the Clerk session token, or the same with an `aud` claim. */
  readonly token: "clerk" | "audience";
}

/** The rows, in run and print order. */
export const VARIANTS: readonly Variant[] = [
  {
    id: "express-bare",
    name: "express 5, no auth (baseline)",
    module: "express-bare",
    auth: false,
    token: "clerk",
  },
  {
    id: "express-layers",
    name: "express 5, 2 no-op middlewares (layer cost)",
    module: "express-layers",
    auth: false,
    token: "clerk",
  },
  {
    id: "node-bare",
    name: "node:http, no auth (baseline)",
    module: "node-bare",
    auth: false,
    token: "clerk",
  },
  {
    id: "gatehouse-express-warm",
    name: "gatehouse express, warm (cache)",
    module: "gatehouse-express",
    options: { cache: true },
    auth: true,
    token: "clerk",
  },
  {
    id: "gatehouse-express-cold",
    name: "gatehouse express, cold (cache: false)",
    module: "gatehouse-express",
    options: { cache: false },
    auth: true,
    token: "clerk",
  },
  {
    id: "gatehouse-node-warm",
    name: "gatehouse node:http, warm (cache)",
    module: "gatehouse-node",
    options: { cache: true },
    auth: true,
    token: "clerk",
  },
  {
    id: "clerk-express",
    name: "@clerk/express clerkMiddleware (jwtKey)",
    module: "clerk-express",
    auth: true,
    token: "clerk",
  },
  {
    id: "express-jwt-pem",
    name: "express-jwt (PEM string)",
    module: "express-jwt",
    options: { keyForm: "pem" },
    auth: true,
    token: "clerk",
  },
  {
    id: "express-jwt-keyobject",
    name: "express-jwt (KeyObject)",
    module: "express-jwt",
    options: { keyForm: "keyobject" },
    auth: true,
    token: "clerk",
  },
  {
    id: "express-oauth2-jwt-bearer",
    name: "express-oauth2-jwt-bearer (local JWKS)",
    module: "express-oauth2-jwt-bearer",
    auth: true,
    token: "audience",
  },
];

/** One measurement of one server. */
interface Measurement {
  readonly reqPerSec: number;
  readonly reqPerSecStddev: number;
  readonly latencyAvgMs: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  readonly serverCpuPct: number;
  readonly clientCpuPct: number;
  readonly serverCpuUsPerReq: number;
}

/** One row: a server's measurements, summarised by their median. */
export interface HttpRow {
  readonly id: string;
  readonly name: string;
  /** Median over rounds of autocannon's mean requests per second; null when the row failed. */
  readonly reqPerSec: number | null;
  /** Standard deviation of the per-second request counts (median over rounds). */
  readonly reqPerSecStddev: number | null;
  readonly latencyAvgMs: number | null;
  /** 99th percentile latency in ms (autocannon's resolution is 1 ms). */
  readonly latencyP99Ms: number | null;
  /** CPU the server used while measured, in % of one core (~100 = the server is the limit). */
  readonly serverCpuPct: number | null;
  /** CPU autocannon used while measuring, in % of one core (~100 = the client is the limit). */
  readonly clientCpuPct: number | null;
  /**
   * Server CPU time per request, in µs: what one request costs the server, whichever side
   * was the bottleneck. Compare rows on this when the client (autocannon) is saturated.
   */
  readonly serverCpuUsPerReq: number | null;
  /** Requests per second of every round, in run order. */
  readonly rounds: readonly number[];
  readonly error?: string;
}

/** Everything {@link runHttpBench} measured. */
export interface HttpResults {
  readonly kind: "http";
  readonly startedAt: string;
  readonly machine: Record<string, unknown>;
  readonly config: {
    readonly durationSec: number;
    readonly warmupSec: number;
    readonly connections: number;
    readonly pipelining: number;
    readonly rounds: number;
    /** CPUs autocannon and the servers were pinned to, or null when not pinned. */
    readonly pinned: { readonly client: string; readonly server: string } | null;
  };
  readonly rows: readonly HttpRow[];
  readonly targets: readonly Target[];
  /** Requests the JWKS server received (express-oauth2-jwt-bearer should fetch once per start). */
  readonly jwksRequests: number;
}

const SERVE = fileURLToPath(new URL("./servers/serve.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
const START_TIMEOUT_MS = 30_000;

// --- CPU pinning -----------------------------------------------------------------------------

interface Pinning {
  readonly client: string;
  readonly server: string;
  pin(pid: number, cpu: string): void;
  restore(): void;
}

/** CPUs in a `taskset` list such as `0-3,6`. */
function expandCpuList(list: string): string[] {
  return list.split(",").flatMap((part) => {
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || Number.isNaN(from)) return [];
    const end = to === undefined || Number.isNaN(to) ? from : to;
    return Array.from({ length: end - from + 1 }, (_, i) => String(from + i));
  });
}

/**
 * Pins this process (autocannon) and each server to different cores with `taskset`, so the
 * scheduler cannot stack both on one core (on a 2-core box it otherwise often does, and both
 * then idle at ~50 %). Returns null where `taskset` is unavailable or BENCH_PIN=0.
 */
function setUpPinning(): Pinning | null {
  if (process.platform !== "linux" || process.env.BENCH_PIN === "0") return null;
  try {
    const run = (...args: string[]) => execFileSync("taskset", args, { encoding: "utf8" });
    const original = run("-c", "-p", String(process.pid)).split(":").pop()?.trim() ?? "";
    const cpus = expandCpuList(original);
    if (cpus.length < 2) return null;
    const [client, server] = [cpus[0]!, cpus[1]!];
    const pin = (pid: number, cpu: string) => run("-a", "-c", "-p", cpu, String(pid));
    pin(process.pid, client);
    return {
      client,
      server,
      pin,
      restore: () => {
        pin(process.pid, original);
      },
    };
  } catch {
    return null;
  }
}

// --- server processes --------------------------------------------------------------------------

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startServer(
  variant: Variant,
  config: ServerConfig,
  children: Set<ChildProcess>,
): Promise<Started> {
  const child = fork(SERVE, [variant.module, JSON.stringify(variant.options ?? {})], {
    execArgv: ["--conditions=@gatehouse/source", "--import", TSX],
    env: { ...process.env, NODE_ENV: "production", BENCH_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server not ready after ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    child.on("message", (m: { type?: string; port?: number; message?: string }) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${m.port}/` });
      } else if (m.type === "error") {
        clearTimeout(timer);
        reject(new Error(`server failed to start: ${m.message}`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before it was ready`));
    });
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

interface Snapshot {
  /** CPU time (user + system) used so far, in microseconds. */
  readonly cpuMicros: number;
  /** Wall clock, in epoch milliseconds. */
  readonly atMs: number;
}

interface ChildStats extends Snapshot {
  readonly blockedFetches: number;
  readonly blockedHosts: readonly string[];
}

function childStats(child: ChildProcess): Promise<ChildStats> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Partial<ChildStats> & { type?: string }) => {
      if (m.type !== "stats") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve({
        blockedFetches: m.blockedFetches ?? 0,
        blockedHosts: m.blockedHosts ?? [],
        cpuMicros: m.cpuMicros ?? 0,
        atMs: m.atMs ?? Date.now(),
      });
    };
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error("the server did not answer a stats request"));
    }, 5000);
    child.on("message", onMessage);
    child.send({ type: "stats" });
  });
}

function selfSnapshot(): Snapshot {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, atMs: performance.now() + performance.timeOrigin };
}

/** CPU used between two snapshots, in percent of one core. */
function cpuPercent(before: Snapshot, after: Snapshot): number {
  return (after.cpuMicros - before.cpuMicros) / 10 / (after.atMs - before.atMs);
}

// --- checks and load ---------------------------------------------------------------------------

/** Flips one character of the signature: same shape, invalid signature. */
function forge(token: string): string {
  const i = token.length - 10;
  return token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
}

/**
 * Checks, before anything is measured, that the server really authenticates: 200 with the
 * expected body for the token; for auth servers 401 without a token and with a forged one.
 */
async function preflight(variant: Variant, url: string, token: string): Promise<void> {
  const get = async (authorization?: string) => {
    const res = await fetch(url, { headers: authorization ? { authorization } : {} });
    return { status: res.status, body: await res.text() };
  };
  const ok = await get(`Bearer ${token}`);
  if (ok.status !== 200) {
    throw new Error(`expected 200 with a valid token, got ${ok.status} ${ok.body.slice(0, 200)}`);
  }
  const userId = (JSON.parse(ok.body) as { userId?: unknown }).userId;
  if (userId !== USER_ID) throw new Error(`expected userId ${USER_ID} in the body, got ${ok.body}`);
  const expected = variant.auth ? 401 : 200;
  const missing = await get();
  if (missing.status !== expected) {
    throw new Error(`expected ${expected} without a token, got ${missing.status}`);
  }
  const forged = await get(`Bearer ${forge(token)}`);
  if (forged.status !== expected) {
    throw new Error(`expected ${expected} with a forged token, got ${forged.status}`);
  }
}

function cannon(
  url: string,
  token: string,
  durationSec: number,
  connections: number,
): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: "GET",
    headers: { authorization: `Bearer ${token}` },
    connections,
    pipelining: 1,
    duration: durationSec,
  });
}

interface RunSettings {
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly connections: number;
}

/** Starts one server, checks it, warms it up, measures it, and stops it (always). */
async function measure(
  variant: Variant,
  token: string,
  config: ServerConfig,
  settings: RunSettings,
  children: Set<ChildProcess>,
  pinning: Pinning | null,
): Promise<Measurement> {
  const { child, url } = await startServer(variant, config, children);
  try {
    if (pinning !== null && child.pid !== undefined) pinning.pin(child.pid, pinning.server);
    await preflight(variant, url, token);
    await cannon(url, token, settings.warmupSec, settings.connections);
    const serverBefore = await childStats(child);
    const clientBefore = selfSnapshot();
    const r = await cannon(url, token, settings.durationSec, settings.connections);
    const clientAfter = selfSnapshot();
    const serverAfter = await childStats(child);
    if (serverAfter.blockedFetches > 0) {
      throw new Error(`tried to reach the network: ${serverAfter.blockedHosts.join(", ")}`);
    }
    if (r.non2xx + r.errors + r.timeouts > 0) {
      throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
    }
    return {
      reqPerSec: r.requests.average,
      reqPerSecStddev: r.requests.stddev,
      latencyAvgMs: r.latency.average,
      latencyP99Ms: r.latency.p99,
      requests: r.requests.total,
      serverCpuPct: cpuPercent(serverBefore, serverAfter),
      clientCpuPct: cpuPercent(clientBefore, clientAfter),
      serverCpuUsPerReq: (serverAfter.cpuMicros - serverBefore.cpuMicros) / r.requests.total,
    };
  } finally {
    await stopServer(child);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs every server (one at a time, in its own process) for each round. */
export async function runHttpBench(
  options: { fixture?: BenchFixture; quiet?: boolean } = {},
): Promise<HttpResults> {
  const settings: RunSettings = {
    durationSec: envNumber("BENCH_DURATION", 10),
    warmupSec: envNumber("BENCH_WARMUP", 2),
    connections: Math.round(envNumber("BENCH_CONNECTIONS", 50)),
  };
  const rounds = Math.round(envNumber("BENCH_ROUNDS", 1));
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
  const variants = VARIANTS.filter((v) => only === undefined || only.includes(v.id));
  const fixture = options.fixture ?? (await createFixture());
  const log = options.quiet ? () => {} : (line: string) => console.log(line);

  const children = new Set<ChildProcess>();
  const killAll = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("exit", killAll);
  const measured = new Map<string, Measurement[]>(variants.map((v) => [v.id, []]));
  const failed = new Map<string, string>();
  const pinning = setUpPinning();
  const jwks = await serveJwks(fixture.keys.jwks);
  const config: ServerConfig = { pem: fixture.pem, jwksUri: jwks.url };
  log(
    `http: ${variants.length} servers × ${rounds} round(s) × ${settings.durationSec} s (+${settings.warmupSec} s warmup), ${settings.connections} connections, pipelining 1, ${pinning ? `autocannon on cpu ${pinning.client}, servers on cpu ${pinning.server}` : "not pinned"}`,
  );
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so slow drift (thermal, neighbours) does not favour one end.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        if (failed.has(variant.id)) continue;
        const token = variant.token === "audience" ? fixture.tokenWithAudience : fixture.token;
        try {
          const m = await measure(variant, token, config, settings, children, pinning);
          measured.get(variant.id)!.push(m);
          log(
            `  ${rounds > 1 ? `[${round + 1}/${rounds}] ` : ""}${variant.id.padEnd(26)} ${formatRate(m.reqPerSec).padStart(8)} req/s  p99 ${m.latencyP99Ms} ms  server cpu ${Math.round(m.serverCpuPct)}%  client cpu ${Math.round(m.clientCpuPct)}%`,
          );
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          failed.set(variant.id, message);
          log(`  ${variant.id.padEnd(26)} FAILED: ${message}`);
        }
      }
    }
  } finally {
    await Promise.all([...children].map(stopServer));
    process.off("exit", killAll);
    pinning?.restore();
    await jwks.close();
  }

  const rows: HttpRow[] = variants.map((v) => {
    const ms = measured.get(v.id) ?? [];
    const error = failed.get(v.id);
    const pick = (f: (m: Measurement) => number) =>
      error === undefined && ms.length > 0 ? median(ms.map(f)) : null;
    return {
      id: v.id,
      name: v.name,
      reqPerSec: pick((m) => m.reqPerSec),
      reqPerSecStddev: pick((m) => m.reqPerSecStddev),
      latencyAvgMs: pick((m) => m.latencyAvgMs),
      latencyP99Ms: pick((m) => m.latencyP99Ms),
      serverCpuPct: pick((m) => m.serverCpuPct),
      clientCpuPct: pick((m) => m.clientCpuPct),
      serverCpuUsPerReq: pick((m) => m.serverCpuUsPerReq),
      rounds: ms.map((m) => m.reqPerSec),
      ...(error === undefined ? {} : { error }),
    };
  });
  const row = (id: string) => rows.find((r) => r.id === id);
  const httpTarget = (name: string, id: string, baseline: string, min: number): Target => ({
    ...target(name, row(id)?.reqPerSec, row(baseline)?.reqPerSec, min),
    // The same ratio from server CPU per request (baseline cost ÷ row cost).
    cpuRatio: target(name, row(baseline)?.serverCpuUsPerReq, row(id)?.serverCpuUsPerReq, min).ratio,
  });
  const targets: Target[] = [
    httpTarget(
      "http: gatehouse express warm / bare express",
      "gatehouse-express-warm",
      "express-bare",
      0.95,
    ),
    httpTarget(
      "http: gatehouse express cold / bare express",
      "gatehouse-express-cold",
      "express-bare",
      0.85,
    ),
    httpTarget(
      "http: gatehouse node:http warm / bare node:http",
      "gatehouse-node-warm",
      "node-bare",
      0.9,
    ),
  ];
  const results: HttpResults = {
    kind: "http",
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    config: {
      ...settings,
      pipelining: 1,
      rounds,
      pinned: pinning ? { client: pinning.client, server: pinning.server } : null,
    },
    rows,
    targets,
    jwksRequests: jwks.requests,
  };
  if (!options.quiet) printHttpResults(results);
  return results;
}

/** Busier than this (% of a core), a process is taken to be the bottleneck. */
const SATURATED_PCT = 85;

/**
 * Which side limited a row: `server` (what the row should measure), `client` (autocannon is
 * saturated: req/s says little about the server), or `neither` (both below saturation: the
 * two processes take turns, a scheduling artefact of small machines; req/s is noisy).
 */
export function bottleneck(row: HttpRow): "server" | "client" | "neither" | null {
  if (row.serverCpuPct === null || row.clientCpuPct === null) return null;
  if (row.serverCpuPct >= SATURATED_PCT && row.serverCpuPct >= row.clientCpuPct) return "server";
  if (row.clientCpuPct >= SATURATED_PCT) return "client";
  return "neither";
}

function formatPercent(value: number | null): string {
  return value === null ? "—" : `${Math.round(value)}%`;
}

/** Prints the HTTP table: req/s, latency, CPU, and ratios against the bare baselines. */
export function printHttpResults(results: HttpResults): void {
  const rps = (id: string) => results.rows.find((r) => r.id === id)?.reqPerSec ?? null;
  const express = rps("express-bare");
  const node = rps("node-bare");
  const warm = rps("gatehouse-express-warm");
  console.log();
  printTable(
    [
      "http (GET /, Bearer token)",
      "req/s",
      "±sd",
      "p99 ms",
      "÷ express",
      "÷ node:http",
      "gatehouse warm ÷ row",
      "server cpu",
      "client cpu",
      "server µs/req",
      "bound by",
    ],
    results.rows.map((r) =>
      r.reqPerSec === null
        ? [r.name, `FAILED: ${r.error}`]
        : [
            r.name,
            formatRate(r.reqPerSec),
            formatRate(r.reqPerSecStddev),
            String(r.latencyP99Ms ?? "—"),
            formatRatio(express === null ? null : r.reqPerSec / express),
            formatRatio(node === null ? null : r.reqPerSec / node),
            formatRatio(warm === null ? null : warm / r.reqPerSec),
            formatPercent(r.serverCpuPct),
            formatPercent(r.clientCpuPct),
            (r.serverCpuUsPerReq ?? 0).toFixed(1),
            bottleneck(r) ?? "—",
          ],
    ),
  );
  console.log(`\nJWKS requests served to express-oauth2-jwt-bearer: ${results.jwksRequests}`);
  console.log();
  printTargets(results.targets);
  for (const note of bottleneckNotes(results)) console.log(note);
}

/** Warnings for target rows whose req/s was not limited by the server. */
export function bottleneckNotes(results: HttpResults): string[] {
  const ids = [
    "express-bare",
    "gatehouse-express-warm",
    "gatehouse-express-cold",
    "node-bare",
    "gatehouse-node-warm",
  ];
  return results.rows
    .filter((r) => ids.includes(r.id) && bottleneck(r) !== null && bottleneck(r) !== "server")
    .map(
      (r) =>
        `note: ${r.id} was not server-bound (server ${formatPercent(r.serverCpuPct)}, autocannon ${formatPercent(r.clientCpuPct)}): its req/s ratios are noise-prone; the server-CPU-per-request ratio is the better guide.`,
    );
}

if (isMain(import.meta.url)) {
  const results = await runHttpBench();
  console.log(`\nwrote ${writeResults("http.json", results)}`);
}
