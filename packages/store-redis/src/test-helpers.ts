// Test-only helpers shared by the *.test.ts files (never imported by the package).
import { createServer } from "node:net";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, inject } from "vitest";

/** The test Redis started by the root global setup (or given in the environment). */
export function testRedisUrl(): string {
  const url =
    process.env.GATEHOUSE_TEST_REDIS_URL ?? (inject("redisUrl" as never) as string | undefined);
  if (!url) throw new Error("no test Redis: run through the root vitest config");
  return url;
}

/**
 * A client that is disconnected after the file's tests. Connection errors are
 * swallowed here because they surface as rejected commands, which tests assert on.
 */
export function testClient(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, options);
  client.on("error", () => {});
  afterAll(() => client.disconnect());
  return client;
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
