// vitest globalSetup (runs once, in the main process, for every `vitest run`):
// starts a throwaway PostgreSQL and Redis on 127.0.0.1 (installing
// redis-server with apt-get first when we are root and it is missing), unless
// GATEHOUSE_TEST_PG_URL / GATEHOUSE_TEST_REDIS_URL already point at servers.
// Tests read the URLs with `inject("pgUrl")` / `inject("redisUrl")` (or from
// process.env, which the workers inherit). Fault tests stop and start the
// servers through a small HTTP control endpoint; see ./control.ts.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import {
  ensureRedisInstalled,
  type PostgresServer,
  type RedisServer,
  startPostgres,
  startRedis,
} from "../../scripts/services.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    /** `postgres://…/gatehouse_test` of the test PostgreSQL 15 server. */
    pgUrl: string;
    /** `redis://127.0.0.1:PORT` of the test Redis 7 server. */
    redisUrl: string;
    /** Base URL of the control endpoint that stops and starts them (see ./control.ts). */
    servicesControlUrl: string;
  }
}

export type ServiceName = "pg" | "redis";

export interface ServiceStatus {
  /** False when the URL came from the environment: such a server cannot be controlled. */
  managed: boolean;
  running: boolean;
  url: string;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const externalPg = process.env.GATEHOUSE_TEST_PG_URL;
  const externalRedis = process.env.GATEHOUSE_TEST_REDIS_URL;
  const [pgResult, redisResult] = await Promise.allSettled([
    externalPg ? undefined : startPostgres(),
    externalRedis ? undefined : ensureRedisInstalled().then(() => startRedis()),
  ]);
  const pg = pgResult.status === "fulfilled" ? pgResult.value : undefined;
  const redis = redisResult.status === "fulfilled" ? redisResult.value : undefined;
  const failed = [pgResult, redisResult].find((r) => r.status === "rejected");
  if (failed) {
    await Promise.all([pg?.cleanup(), redis?.cleanup()]);
    throw failed.reason;
  }
  const servers: Record<ServiceName, PostgresServer | RedisServer | undefined> = { pg, redis };
  const urls: Record<ServiceName, string> = {
    pg: pg?.url ?? externalPg!,
    redis: redis?.url ?? externalRedis!,
  };

  // One operation at a time, so concurrent stop/start requests cannot interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => {});
    return next;
  };
  const status = (name: ServiceName): ServiceStatus => ({
    managed: servers[name] !== undefined,
    running: servers[name]?.running ?? true,
    url: urls[name],
  });

  const control = createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/status") {
      return send(200, { pg: status("pg"), redis: status("redis") });
    }
    const match = /^\/(pg|redis)\/(stop|start|restart)$/.exec(url.pathname);
    if (req.method !== "POST" || !match) return send(404, { error: "no such route" });
    const name = match[1] as ServiceName;
    const action = match[2] as "stop" | "start" | "restart";
    const server = servers[name];
    if (!server) {
      return send(409, {
        error: `${name} comes from the environment (${urls[name]}): not managed`,
      });
    }
    const kill = url.searchParams.get("mode") === "kill";
    const op = () =>
      action === "start"
        ? server.start()
        : action === "restart"
          ? server.restart()
          : kill
            ? server.kill()
            : server.stop();
    serially(op).then(
      () => send(200, status(name)),
      (err: unknown) => send(500, { error: err instanceof Error ? err.message : String(err) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    control.once("error", reject);
    control.listen(0, "127.0.0.1", () => resolve());
  });
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;

  project.provide("pgUrl", urls.pg);
  project.provide("redisUrl", urls.redis);
  project.provide("servicesControlUrl", controlUrl);
  process.env.GATEHOUSE_TEST_PG_URL = urls.pg;
  process.env.GATEHOUSE_TEST_REDIS_URL = urls.redis;
  process.env.GATEHOUSE_TEST_SERVICES_CONTROL_URL = controlUrl;
  if (process.env.GATEHOUSE_TEST_SERVICES_VERBOSE) {
    const ms = Math.round(performance.now() - started);
    console.log(`test services up in ${ms} ms: ${urls.pg} ${urls.redis} (control ${controlUrl})`);
  }

  return async () => {
    control.closeAllConnections();
    await new Promise((resolve) => control.close(resolve));
    await queue;
    await Promise.all([pg?.cleanup(), redis?.cleanup()]);
    if (!externalPg) delete process.env.GATEHOUSE_TEST_PG_URL;
    if (!externalRedis) delete process.env.GATEHOUSE_TEST_REDIS_URL;
    delete process.env.GATEHOUSE_TEST_SERVICES_CONTROL_URL;
  };
}
