// The shared KeyValueStore conformance suite (@gatehouse/adapter-tests) against
// the test Redis, with default and recommended client settings, and against an
// unreachable server.
import { createServer } from "node:net";
import { runKeyValueStoreTests } from "@gatehouse/adapter-tests";
import { Redis, type RedisOptions } from "ioredis";
import { afterAll, inject } from "vitest";
import { createRedisStore } from "./index.js";

const redisUrl =
  process.env.GATEHOUSE_TEST_REDIS_URL ?? (inject("redisUrl" as never) as string | undefined);
if (!redisUrl) throw new Error("no test Redis: run through the root vitest config");

const clients: Redis[] = [];
function client(url: string, options: RedisOptions): Redis {
  const c = new Redis(url, options);
  c.on("error", () => {}); // connection errors surface as rejected commands
  clients.push(c);
  return c;
}
afterAll(() => {
  for (const c of clients) c.disconnect();
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const TIMEOUT_MS = 1_000;
const unreachable = async (options: RedisOptions) =>
  createRedisStore(client(`redis://127.0.0.1:${await closedPort()}`, options), {
    timeoutMs: TIMEOUT_MS,
  });

// One client shared by every test, as an application would have it.
const shared = client(redisUrl, {});
runKeyValueStoreTests(
  "redis (ioredis defaults)",
  {
    create: () => createRedisStore(shared),
    // Offline queue on, 20 retries: only the store's own timeout bounds the wait.
    createUnavailable: () => unreachable({ lazyConnect: true }),
  },
  { unavailableDeadlineMs: TIMEOUT_MS + 500 },
);

const recommended = { maxRetriesPerRequest: 1, enableOfflineQueue: false } as const;
const ready = client(redisUrl, { ...recommended, lazyConnect: true });
const connecting = ready.connect();
runKeyValueStoreTests(
  "redis (recommended settings)",
  {
    create: async () => {
      await connecting;
      return createRedisStore(ready, { prefix: "gh-recommended:" });
    },
    createUnavailable: () => unreachable({ ...recommended, maxRetriesPerRequest: 0 }),
  },
  { unavailableDeadlineMs: TIMEOUT_MS + 500 },
);
