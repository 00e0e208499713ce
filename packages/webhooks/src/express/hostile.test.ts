// Hostile requests at webhookHandler(): oversized (declared or endless), wrong types,
// compressed, chunked, and aborted mid-body.
import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { Readable } from "node:stream";
import { errorHandler } from "@gatehouse/express";
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { readRawBody } from "./raw-body.js";
import {
  BODY,
  buildApp,
  expectProblem,
  FRAMEWORKS,
  listen,
  rawPost,
  signed,
  testReceiver,
} from "./test-helpers.js";
import { webhookHandler } from "./webhook-handler.js";

/** 64 KiB chunks, up to `cap` of them (1 GiB): "endless" for a server that answers early. */
function* endless(cap = 16_384) {
  const chunk = Buffer.alloc(65_536, 0x20);
  for (let i = 0; i < cap; i++) yield chunk;
}

describe.each(FRAMEWORKS)("hostile requests under %s", (framework) => {
  it("answers 413 to a declared oversized body at once, and closes the connection", async () => {
    const { receiver, seen } = testReceiver();
    const app = buildApp(framework, receiver, "none", { maxBodyBytes: 1024 });
    const body = Buffer.alloc(2_000_000, 0x20);
    const res = await request(app).post("/webhooks").set(signed(body)).send(body);
    expectProblem(res, 413, "webhook_body_too_large");
    expect(res.headers.connection).toBe("close");
    expect(seen).toEqual([]);
  });

  it("answers 413 to an endless chunked body long before its end", async () => {
    const { receiver, seen } = testReceiver();
    const server = await listen(buildApp(framework, receiver, "none", { maxBodyBytes: 1024 }));
    try {
      const res = await rawPost(server.port, signed("x"), endless());
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ code: "webhook_body_too_large" });
      expect(res.bytesWritten).toBeLessThan(16_384 * 65_536);
      expect(seen).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it.each([
    ["text/plain", 415],
    ["application/x-www-form-urlencoded", 415],
    ["application/json; charset=latin1", 415],
    ["application/jsonp", 415],
  ])("refuses content-type %s", async (type, status) => {
    const { receiver, seen } = testReceiver();
    const res = await request(buildApp(framework, receiver))
      .post("/webhooks")
      .set({ ...signed(), "content-type": type })
      .send(BODY);
    expectProblem(res, status, "webhook_body_invalid");
    expect(seen).toEqual([]);
  });

  it("refuses a missing content-type, even after an app-wide express.json()", async () => {
    const { receiver } = testReceiver();
    const { "content-type": _, ...headers } = signed();
    for (const parsing of ["none", "json-first"] as const) {
      const res = await request(buildApp(framework, receiver, parsing))
        .post("/webhooks")
        .set(headers)
        .send(Buffer.from(BODY));
      expectProblem(res, 415, "webhook_body_invalid");
    }
  });

  it("accepts application/*+json and a UTF-8 charset", async () => {
    const { receiver } = testReceiver();
    const app = buildApp(framework, receiver);
    for (const [i, type] of [
      "application/cloudevents+json",
      'application/json; charset="UTF-8"',
    ].entries()) {
      const headers = { ...signed(BODY, `msg_${i}`), "content-type": type };
      await request(app).post("/webhooks").set(headers).send(BODY).expect(200);
    }
  });

  it("refuses a compressed body it would have to read itself", async () => {
    const { receiver } = testReceiver();
    const res = await request(buildApp(framework, receiver))
      .post("/webhooks")
      .set({ ...signed(), "content-encoding": "gzip" })
      .send(BODY);
    expectProblem(res, 415, "webhook_body_invalid");
  });

  it("reads a chunked body split mid-character", async () => {
    const { receiver, seen } = testReceiver();
    const body = BODY.replace("Ada", "Ådä");
    const bytes = Buffer.from(body);
    const cut = bytes.indexOf(Buffer.from("Å")) + 1;
    const server = await listen(buildApp(framework, receiver));
    try {
      const res = await rawPost(server.port, signed(body), [
        bytes.subarray(0, cut),
        bytes.subarray(cut),
      ]);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ outcome: "processed" });
      expect(seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe("an aborted request", () => {
  it("never reaches the receiver, and the server keeps serving", async () => {
    const { receiver, seen } = testReceiver();
    let arrived!: () => void;
    const reading = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let reported!: (err: { code?: string }) => void;
    const failure = new Promise<{ code?: string }>((resolve) => {
      reported = resolve;
    });
    const app = express();
    app.post(
      "/webhooks",
      (_req, _res, next) => {
        next();
        arrived(); // webhookHandler attached its listeners synchronously in next()
      },
      webhookHandler(receiver),
    );
    app.use((err: { code?: string }, _req: unknown, _res: unknown, next: (e: unknown) => void) => {
      reported(err);
      next(err);
    });
    app.use(errorHandler());
    const server = await listen(app);
    try {
      const headers = { ...signed(), "content-length": String(Buffer.byteLength(BODY)) };
      const req = httpRequest({
        host: "127.0.0.1",
        port: server.port,
        path: "/webhooks",
        method: "POST",
        headers,
      });
      req.on("error", () => {});
      req.write(BODY.slice(0, 40));
      await reading;
      req.destroy();
      expect((await failure).code).toBe("webhook_body_invalid");
      expect(seen).toEqual([]);
      await request(`http://127.0.0.1:${server.port}`)
        .post("/webhooks")
        .set(signed())
        .send(BODY)
        .expect(200);
    } finally {
      await server.close();
    }
  });
});

describe("readRawBody()", () => {
  it("rejects an endless stream with 413 instead of buffering it", async () => {
    // Async, so a stream that kept flowing after the answer could not starve the test.
    const stream = Readable.from(
      (async function* () {
        yield* endless(Number.MAX_SAFE_INTEGER);
      })(),
    );
    const req = Object.assign(stream, {
      headers: { "content-type": "application/json" },
    }) as unknown as IncomingMessage;
    await expect(readRawBody(req, 100_000)).rejects.toMatchObject({
      code: "webhook_body_too_large",
    });
    stream.destroy();
  });
});
