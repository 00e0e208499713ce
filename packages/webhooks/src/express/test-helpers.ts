/**
 * Test-only helpers of the Express binding (not exported from the package):
 * a real receiver on a memory store, signed deliveries, Express 5 / Express 4
 * apps, and a raw HTTP client for what supertest cannot send.
 *
 * @packageDocumentation
 */
import { createServer, request as httpRequest, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { StoreUnavailableError } from "@gatehouse/core/errors";
import { createMemoryKeyValueStore, type KeyValueStore } from "@gatehouse/core/store";
import { errorHandler } from "@gatehouse/express";
import express5, { type Express } from "express";
import express4 from "express4";
import type request from "supertest";
import { expect } from "vitest";
import { clerkSampleEvent } from "../clerk/fixtures.js";
import { createWebhookReceiver } from "../inbound/receiver.js";
import { parseWebhookSecret } from "../secrets.js";
import { signatureHeader } from "../signature.js";
import { type WebhookHandlerOptions, webhookHandler } from "./webhook-handler.js";

export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
export const BODY = JSON.stringify(clerkSampleEvent("user.created"));

/** Svix-style headers signing `body` now, plus `content-type: application/json`. */
export function signed(body: string | Buffer = BODY, id = "msg_1"): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    "svix-id": id,
    "svix-timestamp": String(ts),
    "svix-signature": signatureHeader([parseWebhookSecret(SECRET)], id, ts, body),
  };
}

/** A KeyValueStore that is down. */
export function downKv(kv: KeyValueStore): KeyValueStore {
  const fail = async () => {
    throw new StoreUnavailableError("The store is down.");
  };
  return { ...kv, get: fail, set: fail, setIfAbsent: fail, delete: fail };
}

/**
 * A real receiver (Clerk schemas, memory store) whose `user.created` handler
 * records the user ids it saw and runs `hook` (to fail or to hold a delivery).
 */
export function testReceiver(
  o: { kv?: KeyValueStore; hook?: () => void | Promise<void>; maxBodyBytes?: number } = {},
) {
  const seen: string[] = [];
  const kv = o.kv ?? createMemoryKeyValueStore();
  const receiver = createWebhookReceiver({
    secrets: SECRET,
    kv,
    ...(o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes }),
  });
  receiver.on("user.created", async (event) => {
    await o.hook?.();
    seen.push(event.data.id);
  });
  return { receiver, seen };
}

export type Framework = "express 5" | "express 4";
export const FRAMEWORKS: readonly Framework[] = ["express 5", "express 4"];

/** How the app reads bodies before the webhook route. */
export type Parsing = "none" | "json-first" | "raw" | "text" | "json-verify";

/**
 * An app as a host writes it: the webhook route at `POST /webhooks`, with the
 * body parsing `parsing` says, a JSON route after it, and `errorHandler()`.
 */
export function buildApp(
  framework: Framework,
  handle: ReturnType<typeof testReceiver>["receiver"],
  parsing: Parsing = "none",
  options?: WebhookHandlerOptions,
): Express {
  const express = framework === "express 5" ? express5 : express4;
  const app = express();
  if (parsing === "json-first") app.use(express.json());
  if (parsing === "json-verify") {
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          (req as { rawBody?: Buffer }).rawBody = buf;
        },
      }),
    );
  }
  const raw =
    parsing === "raw"
      ? [express.raw({ type: "application/json" })]
      : parsing === "text"
        ? [express.text({ type: "application/json" })]
        : [];
  app.post("/webhooks", ...raw, webhookHandler(handle, options));
  app.use(express.json());
  app.post("/echo", (req, res) => {
    res.json(req.body);
  });
  app.use(errorHandler());
  return app;
}

/** Asserts an RFC 9457 problem with `code` and `status`. */
export function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
}

/** A server on an ephemeral port of 127.0.0.1; `close()` ends every connection. */
export async function listen(listener: RequestListener) {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What {@link rawPost} saw: the answer, and how many body bytes were written before it. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly bytesWritten: number;
}

/**
 * POSTs to `port` with node:http (no supertest): `chunks` are written one at
 * a time, each after the previous was flushed, and writing stops as soon as
 * the answer's headers arrive — so a server that answers before reading
 * everything is seen doing so. Without `content-length` the body is chunked.
 */
export function rawPost(
  port: number,
  headers: Record<string, string>,
  chunks: Iterable<Buffer | string>,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let bytesWritten = 0;
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/webhooks", method: "POST", headers },
      (res) => {
        answered = true;
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, bytesWritten }),
        );
      },
    );
    // The server may close the connection while we are still writing: that is the point.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const it = chunks[Symbol.iterator]();
    const writeNext = () => {
      if (answered) return;
      const next = it.next();
      if (next.done) {
        req.end();
        return;
      }
      bytesWritten += Buffer.byteLength(next.value);
      req.write(next.value, (err) => {
        if (!err) writeNext();
      });
    };
    writeNext();
  });
}
