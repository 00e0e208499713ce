// One ioredis client serves both the KeyValueStore and rate-limiter-flexible's
// RateLimiterRedis (the backend @gatehouse/shield builds on), over one connection.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedisStore } from "./index.js";

const redisUrl =
  process.env.GATEHOUSE_TEST_REDIS_URL ?? (inject("redisUrl" as never) as string | undefined);
if (!redisUrl) throw new Error("no test Redis: run through the root vitest config");

describe("sharing the client with rate-limiter-flexible", () => {
  const name = `gh-shared-${randomUUID().slice(0, 8)}`;
  let client: Redis;
  let observer: Redis;
  beforeAll(async () => {
    client = new Redis(redisUrl, {
      connectionName: name,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    client.on("error", () => {});
    await client.connect();
    observer = new Redis(redisUrl);
  });
  afterAll(() => {
    client.disconnect();
    observer.disconnect();
  });

  it("limits and stores through one connection, with keys apart", async () => {
    const prefix = `${name}:`;
    const store = createRedisStore(client, { prefix });
    const limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `${name}-rl`,
      points: 3,
      duration: 60,
    });

    await store.set("otp:alice", { hash: "h" }, { ttlMs: 60_000 });
    for (let i = 1; i <= 3; i++) {
      const res = await limiter.consume("alice");
      expect(res.remainingPoints).toBe(3 - i);
      expect(await store.increment("attempts:alice", { ttlMs: 60_000 })).toBe(i);
    }
    const refused = await limiter.consume("alice").catch((res: unknown) => res);
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
    expect(await store.consume("otp:alice")).toEqual({ hash: "h" });

    const connections = String(await observer.client("LIST"))
      .split("\n")
      .filter((line) => line.includes(` name=${name} `));
    expect(connections).toHaveLength(1);
    expect(await observer.keys(`${name}*`)).toEqual(
      expect.arrayContaining([`${prefix}attempts:alice`, `${name}-rl:alice`]),
    );
  });
});
