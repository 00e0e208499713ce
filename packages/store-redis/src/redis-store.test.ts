import { randomUUID } from "node:crypto";
import type { KeyValueStore } from "@gatehouse/core/store";
import type { Cluster, Redis, RedisOptions } from "ioredis";
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createRedisStore, type RedisClient, type RedisStoreOptions } from "./index.js";
import { closedPort, testClient, testRedisUrl } from "./test-helpers.js";

// The shared test Redis started by test/setup/services.ts (vitest globalSetup).
const redisUrl = testRedisUrl();
const connect = (url: string, options: RedisOptions = {}) =>
  testClient(url, { maxRetriesPerRequest: 1, ...options });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; status?: number };
  }
  throw new Error("expected a rejection");
}

let client: Redis;
let prefix: string;
let store: KeyValueStore;
beforeAll(async () => {
  client = connect(redisUrl);
  await client.ping();
});
// Each test gets its own prefix, so tests never see each other's keys.
const fresh = () => {
  prefix = `gh-test:${randomUUID()}:`;
  store = createRedisStore(client, { prefix });
  return store;
};

describe("createRedisStore: values", () => {
  it("round-trips every JSON value and answers undefined for an absent key", async () => {
    fresh();
    const values = [
      "text",
      "",
      "ünïcødé ✓ 𝄞",
      0,
      -42,
      3.5,
      true,
      false,
      null,
      [],
      [1, "two", { three: 3 }],
      { nested: { array: [null, true], n: 1e-7 } },
    ];
    for (const [i, value] of values.entries()) {
      await store.set(`k${i}`, value);
      expect(await store.get(`k${i}`)).toEqual(value);
    }
    expect(await store.get("absent")).toBeUndefined();
  });

  it("stores JSON text under prefix + key", async () => {
    fresh();
    await store.set("otp:alice", { hash: "abc" });
    expect(await client.get(`${prefix}otp:alice`)).toBe('{"hash":"abc"}');
    const plain = createRedisStore(client);
    const key = `k-${randomUUID()}`;
    await plain.set(key, 1);
    expect(await client.get(`gh:${key}`)).toBe("1");
    await plain.delete(key);
  });

  it("set replaces the value and the expiry", async () => {
    fresh();
    await store.set("k", 1, { ttlMs: 60_000 });
    expect(await client.pttl(`${prefix}k`)).toBeGreaterThan(59_000);
    await store.set("k", 2);
    expect(await client.pttl(`${prefix}k`)).toBe(-1);
    await store.set("k", 3, { ttlMs: 5_000 });
    expect(await client.pttl(`${prefix}k`)).toBeLessThanOrEqual(5_000);
    expect(await store.get("k")).toBe(3);
  });

  it("expires keys after ttlMs", async () => {
    fresh();
    await store.set("k", "v", { ttlMs: 50 });
    expect(await store.get("k")).toBe("v");
    await sleep(120);
    expect(await store.get("k")).toBeUndefined();
    expect(await store.consume("k")).toBeUndefined();
    expect(await store.delete("k")).toBe(false);
  });

  it("delete resolves whether the key existed", async () => {
    fresh();
    await store.set("k", 1);
    expect(await store.delete("k")).toBe(true);
    expect(await store.delete("k")).toBe(false);
    expect(await store.get("k")).toBeUndefined();
  });
});

describe("createRedisStore: atomicity", () => {
  it("setIfAbsent writes only an absent (or expired) key", async () => {
    fresh();
    expect(await store.setIfAbsent("k", "first", { ttlMs: 80 })).toBe(true);
    expect(await store.setIfAbsent("k", "second")).toBe(false);
    expect(await store.get("k")).toBe("first");
    expect(await client.pttl(`${prefix}k`)).toBeGreaterThan(0);
    await sleep(150);
    expect(await store.setIfAbsent("k", "third")).toBe(true);
    expect(await store.get("k")).toBe("third");
    expect(await client.pttl(`${prefix}k`)).toBe(-1);
  });

  it("setIfAbsent has exactly one winner among 100 concurrent callers", async () => {
    fresh();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.setIfAbsent("race", i)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get("race")).toBe(results.indexOf(true));
  });

  it("consume hands the value to exactly one of 100 concurrent callers", async () => {
    fresh();
    await store.set("secret", { link: "once" });
    const results = await Promise.all(Array.from({ length: 100 }, () => store.consume("secret")));
    expect(results.filter((r) => r !== undefined)).toEqual([{ link: "once" }]);
    expect(await store.get("secret")).toBeUndefined();
  });

  it("100 concurrent increments on separate clients sum exactly", async () => {
    fresh();
    const stores = [store, createRedisStore(connect(redisUrl), { prefix })];
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => stores[i % 2]!.increment("n", { ttlMs: 60_000 })),
    );
    expect(new Set(results).size).toBe(100);
    expect(Math.max(...results)).toBe(100);
    expect(await store.get("n")).toBe(100);
  });
});

describe("createRedisStore: increment", () => {
  it("starts an absent key at `by`, adds negative steps, defaults to 1", async () => {
    fresh();
    expect(await store.increment("a")).toBe(1);
    expect(await store.increment("a")).toBe(2);
    expect(await store.increment("b", { by: 5 })).toBe(5);
    expect(await store.increment("b", { by: -7 })).toBe(-2);
    expect(await store.increment("c", { by: 0 })).toBe(0);
    expect(await store.get("b")).toBe(-2);
  });

  it("sets the TTL only when it creates the key, so the window never slides", async () => {
    fresh();
    await store.increment("n", { ttlMs: 300 });
    await sleep(100);
    await store.increment("n", { ttlMs: 60_000 });
    const pttl = await client.pttl(`${prefix}n`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(200);
    await store.set("plain", 3);
    await store.increment("plain", { ttlMs: 60_000 });
    expect(await client.pttl(`${prefix}plain`)).toBe(-1);
    await sleep(250);
    expect(await store.get("n")).toBeUndefined();
    expect(await store.increment("n", { ttlMs: 60_000 })).toBe(1);
  });

  it("increments an integer written by set, and keeps it JSON", async () => {
    fresh();
    await store.set("n", 41);
    expect(await store.increment("n")).toBe(42);
    expect(await store.get("n")).toBe(42);
    await store.set("m", Number.MAX_SAFE_INTEGER - 1);
    expect(await store.increment("m")).toBe(Number.MAX_SAFE_INTEGER);
    await store.set("neg", Number.MIN_SAFE_INTEGER + 1);
    expect(await store.increment("neg", { by: -1 })).toBe(Number.MIN_SAFE_INTEGER);
  });

  it("rejects with store_invalid on a value that is not a safe integer, leaving it intact", async () => {
    fresh();
    const values = ["5", 1.5, true, null, { n: 1 }, [1], 2 ** 60, -(2 ** 60), 1e21];
    for (const [i, value] of values.entries()) {
      await store.set(`k${i}`, value);
      const err = await rejection(store.increment(`k${i}`));
      expect(err.code).toBe("store_invalid");
      expect(await store.get(`k${i}`)).toEqual(value);
    }
  });

  it("rejects an overflow past Number.MAX_SAFE_INTEGER with store_invalid", async () => {
    fresh();
    await store.set("n", Number.MAX_SAFE_INTEGER);
    expect((await rejection(store.increment("n"))).code).toBe("store_invalid");
    await store.set("m", Number.MIN_SAFE_INTEGER);
    expect((await rejection(store.increment("m", { by: -1 }))).code).toBe("store_invalid");
    expect(await store.increment("big", { by: Number.MAX_SAFE_INTEGER })).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect((await rejection(store.increment("big", { by: 1 }))).code).toBe("store_invalid");
    expect(await store.get("big")).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("loads the script again after SCRIPT FLUSH (EVALSHA falls back to EVAL)", async () => {
    fresh();
    expect(await store.increment("n")).toBe(1);
    await client.script("FLUSH");
    expect(await store.increment("n")).toBe(2);
  });
});

describe("createRedisStore: validation and misuse", () => {
  it("rejects bad keys, TTLs, steps and values with store_invalid before calling Redis", async () => {
    const offline = createRedisStore(
      connect(`redis://127.0.0.1:${await closedPort()}`, { lazyConnect: true }),
    );
    fresh();
    for (const s of [store, offline]) {
      const cases: Promise<unknown>[] = [
        s.get(""),
        s.get("has space"),
        s.get("x".repeat(513)),
        s.get(42 as unknown as string),
        s.set("k", undefined as unknown as null),
        s.set("k", Number.NaN),
        s.set("k", 1, { ttlMs: 0 }),
        s.set("k", 1, { ttlMs: 1.5 }),
        s.setIfAbsent("k", 1, { ttlMs: -1 }),
        s.consume("é"),
        s.increment("k", { by: 1.5 }),
        s.increment("k", { by: 2 ** 60 }),
        s.increment("k", { ttlMs: Number.POSITIVE_INFINITY }),
        s.delete("\n"),
      ];
      for (const c of cases) expect((await rejection(c)).code).toBe("store_invalid");
    }
    expect(await store.get("k")).toBeUndefined();
  });

  it("rejects a value over 1 MiB and accepts one just under it", async () => {
    fresh();
    expect((await rejection(store.set("big", "x".repeat(1_048_577)))).code).toBe("store_invalid");
    await store.set("ok", "x".repeat(1_048_000));
    expect(((await store.get("ok")) as string).length).toBe(1_048_000);
  });

  it("maps a key of another Redis type (WRONGTYPE) and non-JSON text to store_invalid", async () => {
    fresh();
    await client.hset(`${prefix}hash`, "f", "v");
    expect((await rejection(store.get("hash"))).code).toBe("store_invalid");
    const err = await rejection(store.increment("hash"));
    expect(err.code).toBe("store_invalid");
    // ioredis attaches the command's arguments to reply errors; the cause must not carry them.
    expect((err as { cause?: object }).cause).not.toHaveProperty("command");
    await client.set(`${prefix}raw`, "not json");
    expect((await rejection(store.get("raw"))).code).toBe("store_invalid");
  });

  it("throws config_invalid on bad options", () => {
    const bad = [
      () => createRedisStore({} as Redis),
      () => createRedisStore(null as unknown as Redis),
      () => createRedisStore(client, { prefix: "has space" }),
      () => createRedisStore(client, { prefix: 1 as unknown as string }),
      () => createRedisStore(client, { timeoutMs: 0 }),
      () => createRedisStore(client, { timeoutMs: 1.5 }),
      () => createRedisStore(client, { timeoutMs: 120_000 }),
    ];
    for (const f of bad) expect(f).toThrow(expect.objectContaining({ code: "config_invalid" }));
    expect(() => createRedisStore(client, { prefix: "" })).not.toThrow();
  });
});

describe("createRedisStore: unavailable backend", () => {
  const ops = (s: KeyValueStore): Promise<unknown>[] => [
    s.get("k"),
    s.set("k", 1, { ttlMs: 1_000 }),
    s.setIfAbsent("k", 1),
    s.consume("k"),
    s.increment("k", { ttlMs: 1_000 }),
    s.delete("k"),
  ];

  it.each([
    ["recommended settings", { enableOfflineQueue: false, maxRetriesPerRequest: 1 }],
    ["ioredis defaults (offline queue, 20 retries)", { maxRetriesPerRequest: 20 }],
    ["a lazy client that never connected", { lazyConnect: true, maxRetriesPerRequest: 0 }],
  ] as [string, RedisOptions][])(
    "rejects every operation with store_unavailable within timeoutMs: %s",
    async (_, options) => {
      const down = connect(`redis://127.0.0.1:${await closedPort()}`, options);
      const s = createRedisStore(down, { timeoutMs: 300 });
      const started = performance.now();
      const errors = await Promise.all(ops(s).map(rejection));
      expect(performance.now() - started).toBeLessThan(300 + 250);
      for (const err of errors) {
        expect(err).toMatchObject({ code: "store_unavailable", status: 503 });
        expect(err).toBeInstanceOf(Error);
      }
    },
  );

  it("rejects with store_unavailable on a client the application closed", async () => {
    const closed = connect(redisUrl);
    await closed.ping();
    await closed.quit();
    const errors = await Promise.all(ops(createRedisStore(closed)).map(rejection));
    for (const err of errors) expect(err.code).toBe("store_unavailable");
  });

  it("never puts stored values in the error or its cause", async () => {
    const down = connect(`redis://127.0.0.1:${await closedPort()}`, {
      enableOfflineQueue: false,
    });
    const err = await rejection(
      createRedisStore(down).set("otp:alice", "s3cret-code", { ttlMs: 1_000 }),
    );
    expect(err.code).toBe("store_unavailable");
    const seen = JSON.stringify(err, Object.getOwnPropertyNames(err)) + String(err);
    const cause = (err as { cause?: Error }).cause;
    expect(seen + JSON.stringify(cause, Object.getOwnPropertyNames(cause ?? {}))).not.toMatch(
      /s3cret|alice/,
    );
  });
});

describe("createRedisStore: types", () => {
  it("takes a Redis or a Cluster client and returns a KeyValueStore", () => {
    expectTypeOf(createRedisStore).parameter(0).toEqualTypeOf<RedisClient>();
    expectTypeOf<Redis>().toExtend<RedisClient>();
    expectTypeOf<Cluster>().toExtend<RedisClient>();
    expectTypeOf(createRedisStore).parameter(1).toEqualTypeOf<RedisStoreOptions | undefined>();
    expectTypeOf(createRedisStore).returns.toEqualTypeOf<KeyValueStore>();
  });
});
