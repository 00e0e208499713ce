import { createHash } from "node:crypto";
import { configError, GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import {
  checkKey,
  checkStep,
  checkTtl,
  type IncrementOptions,
  type JsonValue,
  type KeyValueStore,
  type SetOptions,
  StoreUnavailableError,
  serialiseValue,
} from "@gatehouse/core/store";
import type { Cluster, Redis } from "ioredis";

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * Prepended to every key, so Gatehouse keys stay apart from the rest of the
   * database (and from rate-limiter keys on the same client). Applied after
   * the client's own `keyPrefix`, if any.
   * @default "gh:"
   */
  prefix?: string;
  /**
   * Longest wait for one operation, in milliseconds. When Redis does not
   * answer in time (down, reconnecting, overloaded) the operation rejects with
   * `store_unavailable` instead of waiting for ioredis to give up.
   * @default 2000
   */
  timeoutMs?: number;
}

/** An ioredis client: a standalone/Sentinel `Redis` or a `Cluster`. */
export type RedisClient = Redis | Cluster;

const PREFIX_PATTERN = /^[\x21-\x7e]{0,64}$/;

/**
 * INCRBY with the contract of `KeyValueStore.increment`: the counter must hold
 * a JSON safe integer, the result must stay a safe integer, and the TTL is set
 * only when this call creates the key (the script runs atomically, so no other
 * client sees the key without its TTL).
 *
 * KEYS[1] = key; ARGV[1] = step; ARGV[2] = TTL in ms, or "" for none.
 */
const INCREMENT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then
  if ARGV[2] == '' then
    redis.call('SET', KEYS[1], ARGV[1])
  else
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  end
  return tonumber(ARGV[1])
end
if #current > 17 or not string.match(current, '^%-?%d+$') then
  return redis.error_reply('GATEHOUSE_NOT_INTEGER increment on a key that does not hold an integer.')
end
local max = 9007199254740991
local value = tonumber(current)
if math.abs(value) > max then
  return redis.error_reply('GATEHOUSE_NOT_INTEGER increment on a key that does not hold an integer.')
end
if math.abs(value + tonumber(ARGV[1])) > max then
  return redis.error_reply('GATEHOUSE_OVERFLOW increment overflow.')
end
return redis.call('INCRBY', KEYS[1], ARGV[1])
`;
const INCREMENT_SHA = createHash("sha1").update(INCREMENT_SCRIPT).digest("hex");

/**
 * A {@link KeyValueStore} on Redis (≥ 6.2) through an ioredis 5 client the
 * application owns (and closes). Values are stored as JSON text under
 * `prefix + key`; every operation is one atomic Redis command: `SET … PX`,
 * `SET … NX PX`, `GETDEL`, `DEL`, and a Lua script for `increment`.
 *
 * Each operation waits at most `timeoutMs`; a timeout or any connection
 * failure rejects with `store_unavailable` (HTTP 503). The store keeps no
 * state besides the client, so once ioredis reconnects it works again.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { createRedisStore } from "@gatehouse/store-redis";
 *
 * const redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
 * const store = createRedisStore(redis, { prefix: "myapp:gh:" });
 * await store.set("otp:alice", { hash: "…" }, { ttlMs: 600_000 });
 * ```
 * @see https://redis.io/docs/latest/commands/getdel/
 */
export function createRedisStore(
  client: RedisClient,
  options: RedisStoreOptions = {},
): KeyValueStore {
  const { prefix, timeoutMs } = parseOptions(client, options);

  function run<T>(command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`Redis did not answer within ${timeoutMs} ms.`)),
        timeoutMs,
      );
    });
    let pending: Promise<T>;
    try {
      pending = command();
    } catch (err) {
      pending = Promise.reject(err);
    }
    return Promise.race([pending, timeout])
      .catch((err: unknown) => {
        throw toStoreError(err);
      })
      .finally(() => clearTimeout(timer));
  }

  async function increment(key: string, by: number, ttlMs: number | undefined): Promise<number> {
    const args = [String(by), ttlMs === undefined ? "" : String(ttlMs)];
    try {
      return (await client.evalsha(INCREMENT_SHA, 1, key, ...args)) as number;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return (await client.eval(INCREMENT_SCRIPT, 1, key, ...args)) as number;
    }
  }

  return Object.freeze({
    async get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined> {
      const k = prefix + checkKey(key);
      return parse<T>(await run(() => client.get(k)));
    },
    async set(key: string, value: JsonValue, opts?: SetOptions): Promise<void> {
      const k = prefix + checkKey(key);
      const json = serialiseValue(value);
      const ttlMs = checkTtl(opts?.ttlMs);
      await run(() =>
        ttlMs === undefined ? client.set(k, json) : client.set(k, json, "PX", ttlMs),
      );
    },
    async setIfAbsent(key: string, value: JsonValue, opts?: SetOptions): Promise<boolean> {
      const k = prefix + checkKey(key);
      const json = serialiseValue(value);
      const ttlMs = checkTtl(opts?.ttlMs);
      const reply = await run(() =>
        ttlMs === undefined ? client.set(k, json, "NX") : client.set(k, json, "PX", ttlMs, "NX"),
      );
      return reply === "OK";
    },
    async consume<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined> {
      const k = prefix + checkKey(key);
      return parse<T>(await run(() => client.getdel(k)));
    },
    async increment(key: string, opts?: IncrementOptions): Promise<number> {
      const k = prefix + checkKey(key);
      const by = checkStep(opts?.by);
      const ttlMs = checkTtl(opts?.ttlMs);
      return Number(await run(() => increment(k, by, ttlMs)));
    },
    async delete(key: string): Promise<boolean> {
      const k = prefix + checkKey(key);
      return (await run(() => client.del(k))) > 0;
    },
  });
}

function parseOptions(
  client: unknown,
  options: RedisStoreOptions,
): { prefix: string; timeoutMs: number } {
  const fail = (message: string) => configError("createRedisStore()", message);
  const c = client as Partial<Record<"get" | "getdel" | "evalsha" | "eval", unknown>> | null;
  if (
    typeof c !== "object" ||
    c === null ||
    typeof c.get !== "function" ||
    typeof c.getdel !== "function" ||
    typeof c.evalsha !== "function" ||
    typeof c.eval !== "function"
  ) {
    fail("the first argument must be an ioredis 5 Redis or Cluster client");
  }
  if (typeof options !== "object" || options === null) fail("options must be an object");
  const prefix = options.prefix ?? "gh:";
  if (typeof prefix !== "string" || !PREFIX_PATTERN.test(prefix)) {
    fail('option "prefix" must be 0-64 printable ASCII characters without spaces');
  }
  const timeoutMs = options.timeoutMs ?? 2_000;
  if (
    typeof timeoutMs !== "number" ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > 60_000
  ) {
    fail('option "timeoutMs" must be a whole number of milliseconds from 1 to 60000');
  }
  return { prefix, timeoutMs };
}

function parse<T>(text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new GatehouseError("store_invalid", "The stored value is not JSON.");
  }
}

/**
 * Maps what ioredis rejects with onto Gatehouse errors. Our own script errors
 * and WRONGTYPE (a key under the prefix written by something else) are misuse
 * (`store_invalid`); everything else — refused or dropped connections,
 * `MaxRetriesPerRequestError`, a disabled offline queue, OOM, READONLY,
 * LOADING, CLUSTERDOWN, timeouts — means the backend is unavailable.
 */
function toStoreError(err: unknown): GatehouseError {
  if (isGatehouseError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const cause = sanitise(err);
  if (message.startsWith("GATEHOUSE_NOT_INTEGER")) {
    return new GatehouseError(
      "store_invalid",
      "increment on a key that does not hold an integer.",
      { cause },
    );
  }
  if (message.startsWith("GATEHOUSE_OVERFLOW")) {
    return new GatehouseError("store_invalid", "increment overflow.", { cause });
  }
  if (message.startsWith("WRONGTYPE")) {
    return new GatehouseError("store_invalid", "The key holds a value Gatehouse did not write.", {
      cause,
    });
  }
  return new StoreUnavailableError("Redis is unavailable.", { cause });
}

/**
 * A copy of an ioredis error without its `command` (ioredis attaches the
 * command's arguments, which can include stored secrets, to reply errors).
 */
function sanitise(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const copy = new Error(err.message);
  copy.name = err.name;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  return copy;
}
