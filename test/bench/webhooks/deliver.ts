/**
 * Outbound deliveries/s: N messages stored with `sender.send()` (timed too: sends/s), then one
 * worker with `concurrency` attempts in flight runs until the receiver has verified all N and
 * the worker has stopped; every delivery must then be `succeeded`. The ceiling: N raw node:http
 * POSTs of presigned messages to the same receiver, as many in flight, one connection each
 * (`agent: false`, `connection: close`, as the sender's attempts are).
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import type { SqlStore } from "@gatehouse/store-sql";
import { createWebhookSender, type WebhookSender } from "@gatehouse/webhooks";
import { benchPayload, SECRET, sign } from "./fixtures.js";

const TSX = import.meta.resolve("tsx");
const RECEIVER = new URL("./receiver.ts", import.meta.url);
const DONE_TIMEOUT_MS = 60_000;

/** One measured row. */
export interface DeliveryRow {
  readonly store: string;
  /** `sender` (send + worker) or `raw POST` (the ceiling). */
  readonly what: string;
  readonly messages: number;
  readonly concurrency: number;
  readonly sendsPerSec: number | null;
  readonly deliveriesPerSec: number | null;
  readonly error?: string;
}

/** What the receiver counted. */
export interface ReceiverCount {
  readonly verified: number;
  readonly refused: number;
}

/** The receiver child process. */
export interface Receiver {
  readonly url: string;
  /**
   * Resets the receiver to verify with `secret`; once it has, resolves `done`, which
   * resolves when `n` distinct message ids verified.
   */
  expect(n: number, secret: string): Promise<{ done: Promise<ReceiverCount> }>;
  stop(): Promise<void>;
}

/** Forks `receiver.ts` and resolves once it listens. */
export async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = fork(RECEIVER, [], {
    execArgv: ["--conditions=@gatehouse/source", "--import", TSX],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = (type: string) =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver: no "${type}"`)), DONE_TIMEOUT_MS);
      const onMessage = (m: { type?: string }) => {
        if (m.type !== type) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(m as Record<string, number>);
      };
      child.on("message", onMessage);
    });
  const { port } = await next("ready");
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    async expect(n, secret) {
      const expecting = next("expecting");
      child.send({ type: "expect", n, secret });
      await expecting;
      const done = next("done") as Promise<unknown> as Promise<ReceiverCount>;
      done.catch(() => {}); // awaited by the caller; never an unhandled rejection meanwhile
      return { done };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs `total` operations with `inFlight` outstanding; resolves operations per second. */
async function drive(inFlight: number, total: number, op: (i: number) => Promise<unknown>) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < total; i = next++) await op(i);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

async function countSucceeded(sender: WebhookSender, endpointId: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await sender.deliveries({ endpointId, status: "succeeded", limit: 1000, cursor });
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return count;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** send() N messages, then deliver them with one worker; `store` must serve the sender models. */
export async function senderRow(
  label: string,
  store: SqlStore,
  receiver: Receiver,
  o: { messages: number; concurrency: number },
): Promise<DeliveryRow> {
  const base = { store: label, what: "sender", messages: o.messages, concurrency: o.concurrency };
  let cleanup = async () => {};
  try {
    const sender = createWebhookSender({
      records: store.records,
      secret: "bench-sealing-secret-bench-sealing-secret-0123",
      allowedHosts: ["127.0.0.1"],
    });
    const endpoint = await sender.endpoints.create({ url: receiver.url });
    // The next row's messages must not go to this endpoint too.
    cleanup = async () => {
      await sender.endpoints.delete(endpoint.id);
    };
    const { done } = await receiver.expect(o.messages, await sender.endpoints.secret(endpoint.id));
    const payload = benchPayload();
    const sendsPerSec = await drive(16, o.messages, () =>
      sender.send("organization.created", payload),
    );
    const worker = sender.worker({ concurrency: o.concurrency, pollIntervalMs: 5 });
    const started = performance.now();
    worker.start();
    const got = await done;
    await worker.stop();
    const seconds = (performance.now() - started) / 1000;
    const succeeded = await countSucceeded(sender, endpoint.id);
    if (got.refused > 0 || succeeded !== o.messages) {
      throw new Error(`${succeeded} of ${o.messages} succeeded, ${got.refused} refused`);
    }
    return { ...base, sendsPerSec, deliveriesPerSec: o.messages / seconds };
  } catch (err) {
    return { ...base, sendsPerSec: null, deliveriesPerSec: null, error: message(err) };
  } finally {
    await cleanup();
  }
}

function rawPost(url: URL, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent: false,
      headers: { ...headers, "content-length": String(body.length), connection: "close" },
    });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The ceiling: N presigned raw POSTs to the receiver, `concurrency` in flight. */
export async function rawPostRow(
  receiver: Receiver,
  o: { messages: number; concurrency: number },
): Promise<DeliveryRow> {
  const base = { store: "—", what: "raw POST", messages: o.messages, concurrency: o.concurrency };
  try {
    const body = Buffer.from(JSON.stringify(benchPayload()));
    const ts = Math.floor(Date.now() / 1000);
    const requests = Array.from({ length: o.messages }, (_, i) => {
      const id = `msg_raw_${i}`;
      return {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(ts),
        "webhook-signature": sign(id, ts, body),
      };
    });
    const url = new URL(receiver.url);
    const { done } = await receiver.expect(o.messages, SECRET);
    let failed = 0;
    const perSec = await drive(o.concurrency, o.messages, async (i) => {
      if ((await rawPost(url, requests[i]!, body)) !== 204) failed++;
    });
    const got = await done;
    if (failed > 0 || got.refused > 0) throw new Error(`${failed} not answered 204`);
    return { ...base, sendsPerSec: null, deliveriesPerSec: perSec };
  } catch (err) {
    return { ...base, sendsPerSec: null, deliveriesPerSec: null, error: message(err) };
  }
}
