// Stop and start the shared test PostgreSQL / Redis from inside a test (they
// run in the vitest main process; see ./services.ts). The servers are shared
// by every test file, and files run in parallel: a test that stops one should
// restart it in a `finally` (or use withServiceStopped), and is best kept in a
// file of its own with no other test relying on that server at the same time.
// For a private server to break at will, call startPostgres()/startRedis()
// from scripts/services.mjs in the test itself.
import { inject } from "vitest";
import type { ServiceName, ServiceStatus } from "./services.ts";

export type { ServiceName, ServiceStatus };

export interface StopOptions {
  /**
   * "graceful" (default): PostgreSQL fast shutdown / Redis SIGTERM.
   * "kill": PostgreSQL immediate shutdown (crash recovery on start) / Redis SIGKILL.
   */
  mode?: "graceful" | "kill";
}

async function call(path: string, method = "POST"): Promise<unknown> {
  const base = inject("servicesControlUrl") ?? process.env.GATEHOUSE_TEST_SERVICES_CONTROL_URL;
  if (!base) throw new Error("no servicesControlUrl: is test/setup/services.ts the globalSetup?");
  const res = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(60_000) });
  const body = (await res.json()) as { error?: string };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${body.error ?? ""}`);
  return body;
}

/** Stops the shared server; resolves once it no longer accepts connections. */
export async function stopService(name: ServiceName, options: StopOptions = {}): Promise<void> {
  await call(`/${name}/stop${options.mode === "kill" ? "?mode=kill" : ""}`);
}

/** Starts the shared server again on the same port; resolves once it accepts connections. */
export async function startService(name: ServiceName): Promise<void> {
  await call(`/${name}/start`);
}

/** Whether each shared server is managed by the globalSetup (controllable) and running. */
export async function serviceStatus(): Promise<Record<ServiceName, ServiceStatus>> {
  return (await call("/status", "GET")) as Record<ServiceName, ServiceStatus>;
}

/** Runs `fn` while the server is down, and always starts it again afterwards. */
export async function withServiceStopped<T>(
  name: ServiceName,
  fn: () => Promise<T> | T,
  options: StopOptions = {},
): Promise<T> {
  await stopService(name, options);
  try {
    return await fn();
  } finally {
    await startService(name);
  }
}
