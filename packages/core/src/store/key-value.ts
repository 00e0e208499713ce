import { GatehouseError } from "../errors.js";
import type { JsonValue } from "./json.js";

/** Options of {@link KeyValueStore.set} and {@link KeyValueStore.setIfAbsent}. */
export interface SetOptions {
  /** Milliseconds until the key expires; omit to keep it until deleted. */
  ttlMs?: number;
}

/** Options of {@link KeyValueStore.increment}. */
export interface IncrementOptions {
  /** Amount added (may be negative). @default 1 */
  by?: number;
  /** Lifetime of the counter, set only when this call creates it. */
  ttlMs?: number;
}

/**
 * Ephemeral state with expiry: single-use secrets (magic links, OTPs, WebAuthn
 * challenges), attempt counters, idempotency keys. Every operation is atomic
 * on its key; a backend failure rejects with `store_unavailable`.
 *
 * Implement it for your database and prove it with `@gatehouse/adapter-tests`.
 */
export interface KeyValueStore {
  /** The value of `key`, or `undefined` when absent or expired. */
  get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  /** Stores `value` under `key`, replacing any value and expiry. */
  set(key: string, value: JsonValue, options?: SetOptions): Promise<void>;
  /** Stores `value` only if `key` is absent (or expired); resolves whether it did. */
  setIfAbsent(key: string, value: JsonValue, options?: SetOptions): Promise<boolean>;
  /**
   * Atomically reads and deletes `key`: among concurrent callers exactly one
   * gets the value, the others `undefined`. This is what makes a secret single-use.
   */
  consume<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  /**
   * Atomically adds `by` to the integer at `key` (absent counts as 0) and
   * resolves the new value. The TTL applies only when the call creates the
   * key, so a counter's window never slides.
   */
  increment(key: string, options?: IncrementOptions): Promise<number>;
  /** Deletes `key`; resolves whether it existed. */
  delete(key: string): Promise<boolean>;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,512}$/;

/** Checks a key: 1–512 printable ASCII characters, no spaces (so every backend can hold it). */
export function checkKey(key: unknown): string {
  if (typeof key !== "string" || !KEY_PATTERN.test(key)) {
    throw new GatehouseError(
      "store_invalid",
      "A store key must be 1-512 printable ASCII characters.",
    );
  }
  return key;
}

/** Checks a TTL: a positive whole number of milliseconds, at most ten years. */
export function checkTtl(ttlMs: unknown): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (
    typeof ttlMs !== "number" ||
    !Number.isInteger(ttlMs) ||
    ttlMs <= 0 ||
    ttlMs > 315_360_000_000
  ) {
    throw new GatehouseError(
      "store_invalid",
      "ttlMs must be a positive whole number of milliseconds.",
    );
  }
  return ttlMs;
}

/** Checks an increment step: a safe integer. */
export function checkStep(by: unknown): number {
  if (by === undefined) return 1;
  if (typeof by !== "number" || !Number.isSafeInteger(by)) {
    throw new GatehouseError("store_invalid", "increment `by` must be a safe integer.");
  }
  return by;
}

/**
 * A view of `store` whose keys live under `namespace:`, so packages sharing one
 * store never see each other's keys.
 *
 * @example
 * ```ts
 * const otps = namespaced(store, "passwordless");
 * await otps.set("otp:alice", { hash }, { ttlMs: 600_000 }); // stored as "passwordless:otp:alice"
 * ```
 */
export function namespaced(store: KeyValueStore, namespace: string): KeyValueStore {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(namespace)) {
    throw new GatehouseError(
      "config_invalid",
      "namespaced(): a namespace is 1-64 of A-Z a-z 0-9 _ . -",
    );
  }
  const prefix = `${namespace}:`;
  const k = (key: string) => prefix + checkKey(key);
  // Async methods, so a bad key rejects like every other store failure instead of throwing.
  return Object.freeze({
    get: async <T extends JsonValue = JsonValue>(key: string) => store.get<T>(k(key)),
    set: async (key: string, value: JsonValue, options?: SetOptions) =>
      store.set(k(key), value, options),
    setIfAbsent: async (key: string, value: JsonValue, options?: SetOptions) =>
      store.setIfAbsent(k(key), value, options),
    consume: async <T extends JsonValue = JsonValue>(key: string) => store.consume<T>(k(key)),
    increment: async (key: string, options?: IncrementOptions) => store.increment(k(key), options),
    delete: async (key: string) => store.delete(k(key)),
  });
}
