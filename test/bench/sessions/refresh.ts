/**
 * Refreshes per second on SQLite and PostgreSQL through `@gatehouse/store-sql`: per algorithm,
 * a service on its own store (own file or table prefix, so each makes its own key ring) and N
 * sessions created 16 in flight; then each session's refresh-token chain is rotated — one
 * refresh at a time, then 16 in flight on distinct sessions (worker w owns sessions w, w+16,
 * …). A refresh is a lookup by token hash, the grace reservation in the KeyValueStore, a
 * version-checked update, the used-token record, and a new access token signed with the
 * service's algorithm.
 *
 * Ceiling (informational): the same four store calls per refresh, replayed without the
 * service (no signing, no token crypto) on N more sessions of the last store.
 *
 * The subjects take turns over 2 rounds per phase (order reversed in the second), so a slow
 * spell of the machine or the disk lands on all of them.
 */
import { randomBytes } from "node:crypto";
import type { KeyValueStore, RecordStore } from "@gatehouse/core/store";
import { type Sessions, sessionModel, usedRefreshTokenModel } from "@gatehouse/sessions";
import type { SqlStore } from "@gatehouse/store-sql";
import { type Algorithm, benchSessions, signIn } from "./fixtures.js";
import { driveFor, opsPerSec, type Rate } from "./harness.js";

/** In-flight refreshes of the concurrent phases. */
export const IN_FLIGHT = 16;

/** One measured phase of one backend. */
export interface RefreshRow {
  readonly store: string;
  /** The algorithm access tokens were signed with, or `store calls only` for the ceiling. */
  readonly what: string;
  readonly inFlight: number;
  readonly opsPerSec: number | null;
  readonly ops: number;
  readonly ms: number;
  readonly error?: string;
}

/** Opens a fresh store (own file or table prefix) for one algorithm's service. */
export type OpenStore = (label: string) => Promise<SqlStore>;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function row(store: string, what: string, inFlight: number, rate: Rate & { error?: unknown }) {
  return {
    store,
    what,
    inFlight,
    opsPerSec: opsPerSec(rate),
    ops: rate.ops,
    ms: rate.ms,
    ...(rate.failures > 0 ? { error: `${rate.failures} failed: ${message(rate.error)}` } : {}),
  } satisfies RefreshRow;
}

/** Creates `count` sessions with 16 in flight; resolves their refresh tokens and ids, and the rate. */
async function createSessionsFor(sessions: Sessions, count: number) {
  const tokens: string[] = new Array(count);
  const ids: string[] = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let n = next++; n < count; n = next++) {
        const issued = await sessions.create(signIn(n));
        tokens[n] = issued.refreshToken;
        ids[n] = issued.session.id;
      }
    }),
  );
  return { tokens, ids, createsPerSec: count / ((performance.now() - started) / 1000) };
}

/**
 * Rotates the chains of `tokens` for about `ms` with `workers` loops; worker `w` takes its
 * sessions (w, w + workers, …) in turn, so no two refreshes of one session overlap.
 */
function rotateChains(
  sessions: Sessions,
  tokens: string[],
  counts: number[],
  workers: number,
  ms: number,
) {
  const perWorker = Math.floor(tokens.length / workers);
  return driveFor(workers, ms, async (w, n) => {
    const i = w + (n % perWorker) * workers;
    const issued = await sessions.refresh(tokens[i]!);
    if (issued.session.generation !== counts[i]! + 1) {
      throw new Error(
        `session ${i}: generation ${issued.session.generation}, expected ${counts[i]! + 1}`,
      );
    }
    tokens[i] = issued.refreshToken;
    counts[i]!++;
  });
}

/**
 * The store calls of one refresh, without the service: find by hash, reserve the grace key,
 * version-checked update, record the used hash.
 */
function replayStoreCalls(
  records: RecordStore,
  kv: KeyValueStore,
  hashes: string[],
  workers: number,
  ms: number,
) {
  const perWorker = Math.floor(hashes.length / workers);
  const grace = randomBytes(96).toString("base64url");
  return driveFor(workers, ms, async (w, n) => {
    const i = w + (n % perWorker) * workers;
    const hash = hashes[i]!;
    const s = await records.findOne(sessionModel, { refreshHash: hash });
    if (s === undefined) throw new Error(`session ${i}: not found by its refresh hash`);
    await kv.setIfAbsent(`sessions:grace:${hash}`, { sid: s.id, next: grace }, { ttlMs: 10_000 });
    const next = randomBytes(32).toString("base64url");
    const now = Date.now();
    await records.update(
      sessionModel,
      s.id,
      {
        refreshHash: next,
        previousRefreshHash: hash,
        rotatedAt: now,
        generation: s.generation + 1,
        lastActiveAt: now,
        idleExpiresAt: Math.min(now + 7 * 86_400_000, s.expiresAt),
      },
      { expectedVersion: s.version },
    );
    await records.create(usedRefreshTokenModel, {
      hash,
      sessionId: s.id,
      expiresAt: s.expiresAt,
    });
    hashes[i] = next;
  });
}

/** What {@link runRefreshBench} measured on one backend. */
export interface RefreshResults {
  readonly rows: RefreshRow[];
  /** Sign-ins per second while the sessions were created (16 in flight), per algorithm. */
  readonly createsPerSec: Record<string, number>;
}

/** One thing measured per phase: an algorithm's service, or the store-calls replay. */
interface Subject {
  readonly what: string;
  run(workers: number, ms: number): Promise<Rate & { error?: unknown }>;
}

const ROUNDS = 2;

/**
 * Measures refreshes on one backend for each algorithm, and the store-calls ceiling, at 1
 * and at 16 in flight, the subjects taking turns round by round.
 */
export async function runRefreshBench(
  storeName: string,
  open: OpenStore,
  options: { algorithms: readonly Algorithm[]; sessions: number; ms: number },
  log: (line: string) => void,
): Promise<RefreshResults> {
  const rows: RefreshRow[] = [];
  const createsPerSec: Record<string, number> = {};
  const count = Math.max(IN_FLIGHT, Math.round(options.sessions / IN_FLIGHT) * IN_FLIGHT);
  const stores: SqlStore[] = [];
  try {
    const subjects: Subject[] = [];
    const checks: (() => Promise<void>)[] = [];
    let last: { store: SqlStore; sessions: Sessions } | undefined;
    for (const alg of options.algorithms) {
      const store = await open(alg.toLowerCase());
      stores.push(store);
      const sessions = benchSessions(alg, store);
      const created = await createSessionsFor(sessions, count);
      createsPerSec[alg] = created.createsPerSec;
      const counts = new Array<number>(count).fill(0);
      subjects.push({
        what: alg,
        run: (workers, ms) => rotateChains(sessions, created.tokens, counts, workers, ms),
      });
      // Every counted refresh rotated its session exactly once (no grace replays, no lost updates).
      checks.push(async () => {
        for (const [i, id] of created.ids.entries()) {
          const s = await sessions.get(id);
          if (s?.generation !== counts[i]) {
            throw new Error(
              `${storeName} ${alg}: session ${i} at generation ${s?.generation}, ${counts[i]} refreshes counted`,
            );
          }
        }
      });
      last = { store, sessions };
    }
    if (last !== undefined) {
      const { store, sessions } = last;
      const { ids } = await createSessionsFor(sessions, count);
      const hashes: string[] = [];
      for (const id of ids) {
        const s = await store.records.findOne(sessionModel, { id });
        hashes.push(s!.refreshHash as string);
      }
      subjects.push({
        what: "store calls only",
        run: (workers, ms) => replayStoreCalls(store.records, store.kv, hashes, workers, ms),
      });
    }
    for (const workers of [1, IN_FLIGHT]) {
      const totals = new Map<string, Rate & { error?: unknown }>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const subject of round % 2 === 0 ? subjects : [...subjects].reverse()) {
          const r = await subject.run(workers, options.ms / ROUNDS);
          const t = totals.get(subject.what);
          totals.set(subject.what, {
            ops: (t?.ops ?? 0) + r.ops,
            ms: (t?.ms ?? 0) + r.ms,
            failures: (t?.failures ?? 0) + r.failures,
            error: t?.error ?? r.error,
          });
        }
      }
      for (const subject of subjects) {
        const r = row(storeName, subject.what, workers, totals.get(subject.what)!);
        rows.push(r);
        log(
          `  ${storeName.padEnd(8)} ${subject.what.padEnd(16)} ${String(workers).padStart(2)} in flight: ${r.opsPerSec === null ? `FAILED (${r.error})` : `${Math.round(r.opsPerSec)}/s`}`,
        );
      }
    }
    for (const check of checks) await check();
  } finally {
    for (const store of stores) await store.close();
  }
  return { rows, createsPerSec };
}
