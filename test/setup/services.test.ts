// Smoke test of the test services (test/setup/services.ts): both servers answer
// on the provided URLs, the URLs are in the workers' environment too, and the
// control endpoint really takes them down and brings them back.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { pgQuery, redisCommand } from "../../scripts/services.mjs";
import { type ServiceStatus, serviceStatus, startService, stopService } from "./control.ts";

const pgUrl = inject("pgUrl");
const redisUrl = inject("redisUrl");

describe("test services", () => {
  let status: Record<"pg" | "redis", ServiceStatus>;
  beforeAll(async () => {
    status = await serviceStatus();
  });

  it("provides the URLs to tests and to the workers' environment", () => {
    expect(pgUrl).toMatch(/^postgres(ql)?:\/\//);
    expect(redisUrl).toMatch(/^rediss?:\/\//);
    expect(process.env.GATEHOUSE_TEST_PG_URL).toBe(pgUrl);
    expect(process.env.GATEHOUSE_TEST_REDIS_URL).toBe(redisUrl);
  });

  it("serves PostgreSQL 15+ with the test database", async () => {
    const [[database, version]] = (await pgQuery(
      pgUrl,
      "SELECT current_database(), current_setting('server_version_num')",
    )) as [[string, string]];
    expect(database).toBe(decodeURIComponent(new URL(pgUrl).pathname.slice(1)));
    expect(Number(version)).toBeGreaterThanOrEqual(150000);
    if (status.pg.managed) expect(new URL(pgUrl).hostname).toBe("127.0.0.1");
  });

  it("serves Redis 7+", async () => {
    expect(await redisCommand(redisUrl, ["PING"])).toBe("PONG");
    const info = String(await redisCommand(redisUrl, ["INFO", "server"]));
    expect(Number(/redis_version:(\d+)/.exec(info)?.[1])).toBeGreaterThanOrEqual(7);
  });

  it("stops and starts PostgreSQL through the control endpoint", async (ctx) => {
    if (!status.pg.managed) ctx.skip();
    await pgQuery(pgUrl, "CREATE TABLE IF NOT EXISTS smoke_survives (n int)");
    try {
      await stopService("pg");
      await expect(pgQuery(pgUrl, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
      expect((await serviceStatus()).pg.running).toBe(false);
    } finally {
      await startService("pg");
    }
    expect(await pgQuery(pgUrl, "SELECT 1")).toEqual([["1"]]);
    // Same data directory: what was written before the stop is still there.
    await pgQuery(pgUrl, "DROP TABLE smoke_survives");

    try {
      await stopService("pg", { mode: "kill" });
      await expect(pgQuery(pgUrl, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await startService("pg");
    }
    expect(await pgQuery(pgUrl, "SELECT 1")).toEqual([["1"]]);
  });

  it("stops and starts Redis through the control endpoint", async (ctx) => {
    if (!status.redis.managed) ctx.skip();
    try {
      await stopService("redis", { mode: "kill" });
      await expect(redisCommand(redisUrl, ["PING"])).rejects.toThrow(/ECONNREFUSED/);
      expect((await serviceStatus()).redis.running).toBe(false);
    } finally {
      await startService("redis");
    }
    expect(await redisCommand(redisUrl, ["PING"])).toBe("PONG");
  });

  it("refuses unknown control routes", async () => {
    const res = await fetch(`${inject("servicesControlUrl")}/mysql/stop`, { method: "POST" });
    expect(res.status).toBe(404);
  });
});
