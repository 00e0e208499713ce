/**
 * Internal: stores, receivers and senders the outbound tests run on.
 * Imported by *.test.ts files (and the crash fixture) only, never by the package.
 *
 * @packageDocumentation
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { createEventBus, type EventEnvelope } from "@gatehouse/core";
import { createMemoryRecordStore, type RecordStore } from "@gatehouse/core/store";
import { createFakeClock, type FakeClock } from "@gatehouse/testing";
import { type Backend, testBackends, useBackend } from "../test-backends.js";
import { webhookSenderModels } from "./models.js";
import type { WebhookSenderOptions } from "./options.js";
import { createWebhookSender } from "./sender.js";

export const SECRET = "outbound-test-secret-outbound-test-secret";

/** The backends the tests run on: memory, SQLite (in memory) and PostgreSQL. */
export const BACKENDS = testBackends(webhookSenderModels, "whout");

/** A request a receiver got. */
export interface Hit {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How a receiver answers; it may never answer (a hang) or destroy the socket. */
export type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit) => void;

/** A real HTTP receiver on 127.0.0.1. */
export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly hits: Hit[];
  /** Hits carrying this `webhook-id`. */
  count(id: string): number;
  /** Replaces the handler. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export const ok: Handler = (_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" }).end("ok");
};

/** Starts a receiver on 127.0.0.1 (answers 200 unless told otherwise). */
export async function startReceiver(handler: Handler = ok): Promise<Receiver> {
  let current = handler;
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const hit = {
        id: String(req.headers["webhook-id"]),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      hits.push(hit);
      current(req, res, hit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    hits,
    count: (id) => hits.filter((h) => h.id === id).length,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits (polling, bounded) until `predicate` holds; throws after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "the condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A sender on memory (or `records`) under a fake clock, reaching 127.0.0.1, recording its events. */
export function setup(
  overrides: Partial<WebhookSenderOptions> = {},
  records?: RecordStore,
  clock: FakeClock = createFakeClock(),
) {
  const events: EventEnvelope[] = [];
  const bus = createEventBus({ clock });
  bus.on("*", (e) => {
    events.push(e as EventEnvelope);
  });
  const store = records ?? createMemoryRecordStore({ clock });
  const sender = createWebhookSender({
    records: store,
    secret: SECRET,
    clock,
    events: bus,
    allowedHosts: ["127.0.0.1"],
    timeoutMs: 2000,
    jitter: (ms) => ms,
    ...overrides,
  });
  const ofType = (type: string) => events.filter((e) => e.type === type);
  return { sender, records: store, clock, bus, events, ofType };
}

export { type Backend, useBackend };
