/**
 * Crash and restart: a worker process is SIGKILLed in the middle of
 * deliveries; a new worker on the same SQLite file reclaims the expired
 * leases, and every message is delivered at least once — none is lost.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSqliteStore } from "@gatehouse/store-sql";
import { afterEach, describe, expect, it } from "vitest";
import { webhookSenderModels } from "./models.js";
import { createWebhookSender } from "./sender.js";
import { type Receiver, SECRET, startReceiver, waitFor } from "./test-helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, "../../../..");
const SCRIPT = join(here, "fixtures/crash-worker.ts");
const LEASE_MS = 3500;
const TIMEOUT_MS = 3000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the fixture worker and resolves once it says it is polling. */
async function startChild(db: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    ["--conditions=@gatehouse/source", "--import", "tsx", SCRIPT],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        GH_OUTBOX_DB: db,
        GH_OUTBOX_SECRET: SECRET,
        GH_OUTBOX_LEASE_MS: String(LEASE_MS),
        GH_OUTBOX_TIMEOUT_MS: String(TIMEOUT_MS),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  cleanups.push(() => {
    child.kill("SIGKILL");
  });
  let output = "";
  child.stdout!.on("data", (d) => {
    output += d;
  });
  child.stderr!.on("data", (d) => {
    output += d;
  });
  await waitFor(
    () => output.includes("ready") || child.exitCode !== null,
    30_000,
    "the worker process",
  );
  if (!output.includes("ready")) throw new Error(`the worker process failed:\n${output}`);
  return { child, output: () => output };
}

describe("crash and restart", () => {
  it("delivers every message at least once after the worker process is SIGKILLed mid-delivery", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-outbox-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, "outbox.db");
    const store = createSqliteStore(db, { models: webhookSenderModels });
    await store.migrate();
    cleanups.push(() => store.close());

    // Holds every request unanswered until the child is dead, so the kill
    // lands while its attempts are in flight (it has 2 slots: 2 requests).
    let holding = true;
    const receiver: Receiver = await startReceiver((_req, res) => {
      if (!holding) res.writeHead(200).end();
    });
    cleanups.push(() => receiver.close());

    const sender = createWebhookSender({
      records: store.records,
      secret: SECRET,
      allowedHosts: ["127.0.0.1"],
      timeoutMs: TIMEOUT_MS,
    });
    const endpoint = await sender.endpoints.create({ url: receiver.url });
    const { child, output } = await startChild(db);

    const messages = await Promise.all(
      Array.from({ length: 10 }, (_, i) => sender.send("crash.test", { i })),
    );
    await waitFor(() => receiver.hits.length >= 2, 15_000, "the child's first attempts");
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    holding = false;
    const interrupted = receiver.hits.map((h) => h.id);
    expect(interrupted, output()).toHaveLength(2);
    expect(
      (await sender.deliveries({ endpointId: endpoint.id, status: "delivering" })).items,
    ).toHaveLength(2);

    const worker = sender.worker({ concurrency: 4, pollIntervalMs: 20, leaseMs: LEASE_MS });
    worker.start();
    cleanups.push(() => worker.stop());
    await waitFor(
      async () =>
        (await sender.deliveries({ endpointId: endpoint.id, status: "succeeded", limit: 100 }))
          .items.length === 10,
      20_000,
      "every delivery to succeed",
    );

    // Every message at least once; only the two the kill interrupted twice.
    for (const m of messages) {
      expect([m.id, receiver.count(m.id)]).toEqual([m.id, interrupted.includes(m.id) ? 2 : 1]);
    }
    const { items } = await sender.deliveries({ endpointId: endpoint.id, limit: 100 });
    for (const d of items) {
      expect(d).toMatchObject({
        status: "succeeded",
        attempts: interrupted.includes(d.messageId) ? 2 : 1,
      });
    }
  }, 60_000);
});
