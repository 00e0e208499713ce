/**
 * The shared revocation list: how a revoked session's access tokens (and a
 * revoked API key) are refused on every instance within about a second,
 * without a store read per request.
 *
 * Each revocation is appended to a log in the KeyValueStore (a sequence
 * counter plus one entry per number, expiring when the revoked tokens would
 * have). Every instance keeps a local copy and reads only the new entries,
 * at most every `refreshAfterMs`; a request waits for a read only when the
 * copy is older than `maxStalenessMs`. So the per-request check is a Map
 * lookup, and the store sees a couple of reads per instance per interval
 * whatever the traffic.
 *
 * @packageDocumentation
 */
import type { Clock, RevocationCheck } from "@gatehouse/core";
import { StoreUnavailableError } from "@gatehouse/core/errors";
import type { KeyValueStore } from "@gatehouse/core/store";

/** Options of {@link RevocationList}. */
export interface RevocationListOptions {
  /** Shared by every instance (already namespaced). */
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  /** Age of the local copy after which it is refreshed in the background. @default 250 */
  readonly refreshAfterMs?: number;
  /** Age after which a check waits for a refresh (and fails if the store is down). @default 1000 */
  readonly maxStalenessMs?: number;
  /** Keep answering from the stale copy when the store is down, instead of refusing. @default false */
  readonly failOpen?: boolean;
  /** Most entries read back when an instance starts. @default 100000 */
  readonly maxEntries?: number;
}

type Kind = "session" | "api_key";
type Entry = [kind: Kind, id: string, until: number];

const SEQ = "revocations:seq";
const entryKey = (n: number) => `revocations:${n}`;
// An entry whose number was taken but not yet written (its writer is mid-way) is retried this long.
const PENDING_MS = 10_000;

/** The revocation list; `isRevoked` is what `local()` and `apiKeys()` call per request. */
export class RevocationList implements RevocationCheck {
  private readonly revoked = new Map<string, number>();
  private readonly pending = new Map<number, number>();
  private readonly refreshAfterMs: number;
  private readonly maxStalenessMs: number;
  private readonly failOpen: boolean;
  private readonly maxEntries: number;
  private cursor = -1;
  private lastSync = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private lastPrune = 0;

  constructor(private readonly options: RevocationListOptions) {
    this.refreshAfterMs = options.refreshAfterMs ?? 250;
    this.maxStalenessMs = options.maxStalenessMs ?? 1000;
    this.failOpen = options.failOpen ?? false;
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  isRevoked(kind: Kind, id: string): boolean | Promise<boolean> {
    const now = this.options.clock.now();
    const age = now - this.lastSync;
    if (age <= this.maxStalenessMs) {
      if (age > this.refreshAfterMs) this.sync().catch(() => {});
      return this.has(kind, id, now);
    }
    return this.sync().then(
      () => this.has(kind, id, this.options.clock.now()),
      (cause: unknown) => {
        if (this.failOpen) return this.has(kind, id, this.options.clock.now());
        throw new StoreUnavailableError(
          "Cannot tell whether the session was revoked: the store is unavailable.",
          { cause },
        );
      },
    );
  }

  /**
   * Records a revocation until `until` (epoch ms, when the revoked
   * credentials expire anyway). This instance refuses it at once; the others
   * on their next read.
   */
  async revoke(kind: Kind, id: string, until: number): Promise<void> {
    const now = this.options.clock.now();
    this.revoked.set(`${kind}:${id}`, until);
    const n = await this.options.kv.increment(SEQ);
    const entry: Entry = [kind, id, until];
    await this.options.kv.set(entryKey(n), entry, { ttlMs: Math.max(1, until - now) + 5000 });
  }

  /** Reads new entries now (shared by concurrent callers). */
  sync(): Promise<void> {
    if (this.inflight === undefined) {
      const started = this.options.clock.now();
      this.inflight = this.read(started).then(
        () => {
          this.lastSync = started;
          this.inflight = undefined;
        },
        (err: unknown) => {
          this.inflight = undefined;
          throw err;
        },
      );
    }
    return this.inflight;
  }

  private has(kind: Kind, id: string, now: number): boolean {
    const until = this.revoked.get(`${kind}:${id}`);
    return until !== undefined && now < until;
  }

  private async read(now: number): Promise<void> {
    const kv = this.options.kv;
    const seq = (await kv.get<number>(SEQ)) ?? 0;
    if (this.cursor < 0 || seq < this.cursor) {
      // First read, or the store was wiped: read back what is still live.
      await this.readBack(seq);
    } else {
      const numbers = [...this.pending.keys()];
      for (let n = this.cursor + 1; n <= seq; n++) numbers.push(n);
      await this.fetch(numbers, now);
    }
    this.cursor = seq;
    if (now - this.lastPrune > 60_000) this.prune(now);
  }

  private async readBack(seq: number): Promise<void> {
    // Entries expire roughly in order, so reading stops after a run of missing ones.
    let misses = 0;
    for (let hi = seq; hi > 0 && seq - hi < this.maxEntries && misses < 64; hi -= 64) {
      const batch: number[] = [];
      for (let n = hi; n > Math.max(0, hi - 64); n--) batch.push(n);
      const found = await Promise.all(batch.map((n) => this.options.kv.get<Entry>(entryKey(n))));
      for (const entry of found) {
        if (entry === undefined) misses++;
        else {
          misses = 0;
          this.apply(entry);
        }
      }
    }
  }

  private async fetch(numbers: number[], now: number): Promise<void> {
    for (let i = 0; i < numbers.length; i += 64) {
      const batch = numbers.slice(i, i + 64);
      const found = await Promise.all(batch.map((n) => this.options.kv.get<Entry>(entryKey(n))));
      found.forEach((entry, j) => {
        const n = batch[j]!;
        if (entry !== undefined) {
          this.pending.delete(n);
          this.apply(entry);
        } else {
          const since = this.pending.get(n) ?? now;
          if (now - since < PENDING_MS) this.pending.set(n, since);
          else this.pending.delete(n);
        }
      });
    }
  }

  private apply(entry: Entry): void {
    if (!Array.isArray(entry) || entry.length !== 3) return;
    const [kind, id, until] = entry;
    const key = `${kind}:${id}`;
    if ((this.revoked.get(key) ?? 0) < until) this.revoked.set(key, until);
  }

  private prune(now: number): void {
    this.lastPrune = now;
    for (const [key, until] of this.revoked) if (until <= now) this.revoked.delete(key);
  }
}
