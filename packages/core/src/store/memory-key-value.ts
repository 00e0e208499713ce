import { type Clock, systemClock } from "../clock.js";
import { GatehouseError, StoreUnavailableError } from "../errors.js";
import { type JsonValue, serialiseValue } from "./json.js";
import {
  checkKey,
  checkStep,
  checkTtl,
  type IncrementOptions,
  type KeyValueStore,
  type SetOptions,
} from "./key-value.js";
import { warnIfProduction } from "./production-warning.js";

/** Options of {@link createMemoryKeyValueStore}. */
export interface MemoryKeyValueStoreOptions {
  /** Most live keys; a write beyond it fails with `store_unavailable` after sweeping expired keys. @default 100000 */
  maxEntries?: number;
  /** The source of time for expiry. @default the system clock */
  clock?: Clock;
}

interface Entry {
  /**
   * A private copy of the value (made through JSON at write time), so callers
   * never share objects with the store: `get` hands out clones, `consume` the
   * copy itself, which nobody else holds once the entry is gone.
   */
  value: JsonValue;
  /** Expiry in ms since the epoch, or Infinity. */
  expiresAt: number;
}

/** A {@link KeyValueStore} in memory, with `size` and `clear()` for tests. */
export interface MemoryKeyValueStore extends KeyValueStore {
  /** Live and not yet swept keys. */
  readonly size: number;
  /** Removes every key. */
  clear(): void;
}

/**
 * An in-memory {@link KeyValueStore} for development and tests: atomic by
 * construction (one thread), bounded by `maxEntries`, expired keys swept as it
 * fills. Warns once under `NODE_ENV=production`.
 */
export function createMemoryKeyValueStore(
  options: MemoryKeyValueStoreOptions = {},
): MemoryKeyValueStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new GatehouseError(
      "config_invalid",
      'createMemoryKeyValueStore(): option "maxEntries" must be a positive integer',
    );
  }
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, Entry>();
  warnIfProduction("createMemoryKeyValueStore()");

  const expiry = (ttlMs: number | undefined) =>
    ttlMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + ttlMs;

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > clock.now()) return entry;
    entries.delete(key);
    return undefined;
  }

  function sweep(): void {
    const now = clock.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }

  function put(key: string, entry: Entry): void {
    if (!entries.has(key) && entries.size >= maxEntries) {
      sweep();
      if (entries.size >= maxEntries) {
        throw new StoreUnavailableError(`The memory store is full (${maxEntries} keys).`);
      }
    }
    entries.set(key, entry);
  }

  const privateCopy = (value: JsonValue): JsonValue => {
    const json = serialiseValue(value);
    return typeof value === "object" && value !== null ? (JSON.parse(json) as JsonValue) : value;
  };
  const clone = <T>(value: JsonValue): T =>
    (typeof value === "object" && value !== null ? structuredClone(value) : value) as T;

  return {
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
    async get<T extends JsonValue = JsonValue>(key: string) {
      const entry = live(checkKey(key));
      return entry === undefined ? undefined : clone<T>(entry.value);
    },
    async set(key: string, value: JsonValue, opts?: SetOptions) {
      put(checkKey(key), { value: privateCopy(value), expiresAt: expiry(checkTtl(opts?.ttlMs)) });
    },
    async setIfAbsent(key: string, value: JsonValue, opts?: SetOptions) {
      checkKey(key);
      const copy = privateCopy(value);
      const expiresAt = expiry(checkTtl(opts?.ttlMs));
      if (live(key) !== undefined) return false;
      put(key, { value: copy, expiresAt });
      return true;
    },
    async consume<T extends JsonValue = JsonValue>(key: string) {
      const entry = live(checkKey(key));
      if (entry === undefined) return undefined;
      entries.delete(key);
      return entry.value as T;
    },
    async increment(key: string, opts?: IncrementOptions) {
      checkKey(key);
      const by = checkStep(opts?.by);
      const ttlMs = checkTtl(opts?.ttlMs);
      const entry = live(key);
      if (entry === undefined) {
        put(key, { value: by, expiresAt: expiry(ttlMs) });
        return by;
      }
      const current = entry.value;
      if (typeof current !== "number" || !Number.isSafeInteger(current)) {
        throw new GatehouseError(
          "store_invalid",
          "increment on a key that does not hold an integer.",
        );
      }
      const next = current + by;
      if (!Number.isSafeInteger(next))
        throw new GatehouseError("store_invalid", "increment overflow.");
      entry.value = next;
      return next;
    },
    async delete(key: string) {
      return live(checkKey(key)) !== undefined && entries.delete(key);
    },
  };
}
