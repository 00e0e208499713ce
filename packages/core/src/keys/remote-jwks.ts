import type { Clock } from "../clock.js";
import { GatehouseError } from "../errors.js";
import type { AsymmetricAlgorithm } from "../jwt/algorithms.js";
import { importJwks, KeySet, type VerificationKey } from "./key-set.js";

/**
 * How a remote JWKS is cached and refreshed.
 */
export interface RemoteJwksOptions {
  /** Seconds a fetched key set is fresh; after that it is refreshed in the background. @default 600 */
  maxAgeSec?: number;
  /** Seconds a key set may still be used past `maxAgeSec` while refreshes fail (stale-if-error). @default 86400 */
  maxStaleSec?: number;
  /** Minimum seconds between two fetches, so unknown `kid`s cannot make us hammer the issuer. @default 30 */
  cooldownSec?: number;
  /** Milliseconds before a fetch is abandoned. @default 3000 */
  timeoutMs?: number;
  /** Largest JWKS document accepted, in bytes. @default 262144 */
  maxBytes?: number;
  /** The `fetch` to use (a proxy-aware one, say). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

interface Snapshot {
  readonly set: KeySet;
  readonly fetchedAt: number;
}

/**
 * A JWKS fetched from a URL: cached, refreshed in the background when old,
 * refetched at most once per cooldown when a token names an unknown `kid`,
 * and served stale (within bounds) while the issuer is unreachable.
 * Concurrent refreshes share one request.
 */
/** Loads a JWKS document from wherever an issuer publishes it (a URL, a shared store). */
export type JwksLoader = () => Promise<unknown>;

export class RemoteKeySource {
  private current: Snapshot | undefined;
  private inflight: Promise<KeySet> | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private lastError: GatehouseError | undefined;
  private readonly maxAgeMs: number;
  private readonly usableMs: number;
  private readonly cooldownMs: number;

  /** `source` is the JWKS URL, or a function loading the document (for `local()` key rings). */
  constructor(
    private readonly source: string | JwksLoader,
    private readonly options: RemoteJwksOptions,
    private readonly clock: Clock,
  ) {
    this.maxAgeMs = (options.maxAgeSec ?? 600) * 1000;
    this.usableMs = this.maxAgeMs + (options.maxStaleSec ?? 86_400) * 1000;
    this.cooldownMs = (options.cooldownSec ?? 30) * 1000;
  }

  /**
   * The keys that may have signed a token with this `kid` and `alg`:
   * synchronously from the cache when it can answer, else after one bounded fetch.
   */
  candidates(
    kid: string | undefined,
    alg: AsymmetricAlgorithm,
  ): readonly VerificationKey[] | Promise<readonly VerificationKey[]> {
    const now = this.clock.now();
    const cur = this.current;
    if (cur !== undefined && now - cur.fetchedAt <= this.usableMs) {
      if (now - cur.fetchedAt > this.maxAgeMs) this.refreshInBackground(now);
      const found = cur.set.candidates(kid, alg);
      if (found.length > 0 || kid === undefined || cur.set.hasKid(kid)) return found;
      // An unknown kid may be a freshly rotated key: join a refresh already under way,
      // else refetch, at most once per cooldown.
      if (this.inflight === undefined && now - this.lastAttempt < this.cooldownMs) return found;
      // If the refetch fails, the cached set still stands: the kid is unknown (401), and a
      // made-up kid cannot turn an issuer outage into 503s.
      return this.refresh(now).then(
        (set) => set.candidates(kid, alg),
        () => found,
      );
    }
    if (now - this.lastAttempt < this.cooldownMs && this.inflight === undefined && this.lastError) {
      // The last fetch failed moments ago: answer at once rather than queue more fetches.
      return Promise.reject(this.lastError);
    }
    return this.refresh(now).then((set) => set.candidates(kid, alg));
  }

  /** Fetches the key set now (used at start-up to warm the cache). */
  async load(): Promise<void> {
    await this.refresh(this.clock.now());
  }

  private refreshInBackground(now: number): void {
    if (this.inflight !== undefined || now - this.lastAttempt < this.cooldownMs) return;
    // Failures are kept in lastError; the stale keys keep serving meanwhile.
    this.refresh(now).catch(() => {});
  }

  private refresh(now: number): Promise<KeySet> {
    if (this.inflight !== undefined) return this.inflight;
    this.lastAttempt = now;
    const inflight = this.fetchKeySet().then(
      (set) => {
        this.current = { set, fetchedAt: this.clock.now() };
        this.lastError = undefined;
        this.inflight = undefined;
        return set;
      },
      (cause: unknown) => {
        this.lastError = new GatehouseError(
          "jwks_unavailable",
          "The issuer's signing keys could not be fetched.",
          { cause },
        );
        this.inflight = undefined;
        throw this.lastError;
      },
    );
    this.inflight = inflight;
    return inflight;
  }

  private async fetchKeySet(): Promise<KeySet> {
    const document =
      typeof this.source === "string" ? await this.fetchDocument(this.source) : await this.source();
    const keys = importJwks(document);
    if (keys.length === 0) throw new Error("JWKS holds no usable signature key");
    return new KeySet(keys);
  }

  private async fetchDocument(url: string): Promise<unknown> {
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    const res = await fetchImpl(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
    });
    if (!res.ok) throw new Error(`JWKS answered HTTP ${res.status}`);
    const text = await readBounded(res, this.options.maxBytes ?? 262_144);
    return JSON.parse(text);
  }
}

async function readBounded(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (declared > maxBytes) throw new Error("JWKS response too large");
  if (res.body === null) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error("JWKS response too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
