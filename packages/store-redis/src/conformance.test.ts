// The shared KeyValueStore conformance suite (@gatehouse/adapter-tests) against
// the test Redis, with default and recommended client settings, and against an
// unreachable server.
import { runKeyValueStoreTests } from "@gatehouse/adapter-tests";
import type { RedisOptions } from "ioredis";
import { createRedisStore } from "./index.js";
import { closedPort, testClient, testRedisUrl } from "./test-helpers.js";

const redisUrl = testRedisUrl();
const client = (url: string, options: RedisOptions) => testClient(url, options);

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
