/**
 * Child-process entry of one benchmark server:
 *
 *   node --conditions=@gatehouse/source --import tsx serve.ts <module> '<options json>'
 *
 * Loads `./<module>.ts`, listens on 127.0.0.1 (ephemeral port) and tells the parent over IPC
 * `{ type: "ready", port }`. Any outbound `fetch` is refused and counted, so a server
 * that tries to reach the network shows up in the results instead of silently skewing them.
 * Exits when the parent disconnects or sends SIGTERM.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { CreateListener, ServerConfig } from "./config.js";

interface ServerModule {
  create: CreateListener;
}

const MODULES = new Set([
  "express-bare",
  "express-layers",
  "node-bare",
  "gatehouse-express",
  "gatehouse-node",
  "clerk-express",
  "express-jwt",
  "express-oauth2-jwt-bearer",
]);

let blockedFetches = 0;
const blockedHosts = new Set<string>();
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return realFetch(input, init);
  blockedFetches += 1;
  blockedHosts.add(url.host);
  throw new TypeError(`benchmark server: outbound fetch to ${url.host} refused`);
};

function send(message: unknown): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [name, rawOptions] = process.argv.slice(2);
  if (name === undefined || !MODULES.has(name)) throw new Error(`unknown server module ${name}`);
  const config: ServerConfig = {
    ...(JSON.parse(process.env.BENCH_SERVER_CONFIG ?? "{}") as ServerConfig),
    ...(JSON.parse(rawOptions ?? "{}") as Partial<ServerConfig>),
  };
  const mod = (await import(`./${name}.ts`)) as ServerModule;
  const server = createServer(await mod.create(config));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const shutdown = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on("disconnect", shutdown);
  process.on("SIGTERM", shutdown);
  process.on("message", (message: { type?: string }) => {
    if (message?.type === "stats") {
      const cpu = process.cpuUsage();
      send({
        type: "stats",
        blockedFetches,
        blockedHosts: [...blockedHosts],
        cpuMicros: cpu.user + cpu.system,
        atMs: performance.now() + performance.timeOrigin,
      });
    }
  });
  const { port } = server.address() as AddressInfo;
  send({ type: "ready", port, pid: process.pid });
}

main().catch((err: unknown) => {
  send({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
