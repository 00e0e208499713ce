// webhookHandler() on Express 5 and Express 4: raw-body capture whichever parser ran, the
// receiver's answers, and its errors rendered by errorHandler().

import { createMemoryKeyValueStore } from "@gatehouse/core/store";
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { webhookHandler } from "../express.js";
import {
  BODY,
  buildApp,
  downKv,
  expectProblem,
  FRAMEWORKS,
  type Parsing,
  signed,
  testReceiver,
} from "./test-helpers.js";

const post = (app: express.Express, body: string = BODY, headers = signed(body)) =>
  request(app).post("/webhooks").set(headers).send(body);

describe.each(FRAMEWORKS)("webhookHandler() under %s", (framework) => {
  it.each<Parsing>(["none", "raw", "text", "json-verify"])(
    "delivers a signed event once, then answers duplicate (body parsing: %s)",
    async (parsing) => {
      const { receiver, seen } = testReceiver();
      const app = buildApp(framework, receiver, parsing);
      const first = await post(app).expect(200);
      expect(first.body).toEqual({ outcome: "processed" });
      expect(first.headers["cache-control"]).toBe("no-store");
      const again = await post(app).expect(200);
      expect(again.body).toEqual({ outcome: "duplicate" });
      expect(seen).toEqual(["user_2x4gQmYvGmB1pJ7fT0nWcK9aZrL"]);
      // Routes after the webhook still get their JSON parsed.
      expect((await request(app).post("/echo").send({ a: 1 }).expect(200)).body).toEqual({ a: 1 });
    },
  );

  it("answers ignored for an event nobody handles", async () => {
    const { receiver } = testReceiver();
    const body = JSON.stringify({ type: "session.created", data: { id: "sess_1" } });
    const res = await post(buildApp(framework, receiver), body).expect(200);
    expect(res.body).toEqual({ outcome: "ignored" });
  });

  it("says what to change when express.json() ran first — not a signature mismatch", async () => {
    const { receiver, seen } = testReceiver();
    const res = await post(buildApp(framework, receiver, "json-first"));
    expectProblem(res, 500, "webhook_body_parsed");
    expect(res.body.detail).toContain("before app.use(express.json())");
    expect(res.body.detail).toContain('express.raw({ type: "application/json" })');
    expect(seen).toEqual([]);
  });

  it("refuses forged, replayed-late and unsigned deliveries with 400", async () => {
    const { receiver, seen } = testReceiver();
    const app = buildApp(framework, receiver);
    const forged = signed(BODY.replace("Ada", "Eve"));
    expectProblem(await post(app, BODY, forged), 400, "webhook_signature_invalid");
    const stale = { ...signed(), "svix-timestamp": String(Math.floor(Date.now() / 1000) - 3600) };
    expectProblem(await post(app, BODY, stale), 400, "webhook_timestamp_expired");
    expectProblem(
      await post(app, BODY, { "content-type": "application/json" }),
      400,
      "webhook_headers_missing",
    );
    const invalid = JSON.stringify({ type: "user.created", data: { id: 42 } });
    expectProblem(await post(app, invalid), 400, "webhook_body_invalid");
    expect(seen).toEqual([]);
  });

  it("answers 500 when a handler fails, so the sender retries — and the retry runs", async () => {
    let failing = true;
    const { receiver, seen } = testReceiver({
      hook: () => {
        if (failing) throw new Error("database hiccup");
      },
    });
    const app = buildApp(framework, receiver);
    const res = await post(app);
    expectProblem(res, 500, "webhook_handler_failed");
    expect(res.text).not.toContain("database hiccup");
    failing = false;
    expect((await post(app).expect(200)).body).toEqual({ outcome: "processed" });
    expect(seen).toHaveLength(1);
  });

  it("answers 409 while the same message is being processed", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const { receiver } = testReceiver({
      hook: () => {
        entered();
        return held;
      },
    });
    const app = buildApp(framework, receiver);
    const first = post(app).then((r) => r);
    await inHandler;
    expectProblem(await post(app), 409, "webhook_in_progress");
    release();
    expect((await first).body).toEqual({ outcome: "processed" });
  });

  it("answers 503 when the store is down", async () => {
    const { receiver } = testReceiver({ kv: downKv(createMemoryKeyValueStore()) });
    const res = await post(buildApp(framework, receiver));
    expectProblem(res, 503, "store_unavailable");
  });

  it("refuses a body over maxBodyBytes that a raw parser already read", async () => {
    const { receiver } = testReceiver();
    const app = buildApp(framework, receiver, "raw", { maxBodyBytes: 64 });
    expectProblem(await post(app), 413, "webhook_body_too_large");
  });

  it("passes other methods on", async () => {
    const { receiver } = testReceiver();
    const app = (framework === "express 5" ? express : (await import("express4")).default)();
    app.use("/webhooks", webhookHandler(receiver));
    app.use((_req, res) => {
      res.status(404).end("not here");
    });
    expect((await request(app).get("/webhooks")).status).toBe(404);
  });
});

describe("webhookHandler() set-up", () => {
  it("is a named function and refuses a bad receiver or option at start-up", () => {
    const { receiver } = testReceiver();
    expect(webhookHandler(receiver).name).toBe("webhookHandler");
    expect(() => webhookHandler({} as never)).toThrow(/createWebhookReceiver/);
    expect(() => webhookHandler(receiver, { maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => webhookHandler(receiver, { limit: 1 } as never)).toThrow(/webhookHandler\(\)/);
  });
});
