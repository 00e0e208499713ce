import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate, errorHandler, requireAuth } from "@gatehouse/express";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type AuditRequestsOptions, auditRequests } from "../express.js";
import { API_KEY, makeVerifier, memoryLog, tokenFor } from "./test-helpers.js";

const verifier = makeVerifier();
const frameworks = { "express 5": express5, "express 4": express4 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(Object.entries(frameworks))("auditRequests on %s", (_name, express) => {
  function app(options?: AuditRequestsOptions, hooks: { gate?: Promise<void> } = {}) {
    const log = memoryLog();
    const a = express();
    a.use(auditRequests(log, options));
    a.use(authenticate(verifier));
    a.get("/health", (_req, res) => {
      res.end("ok");
    });
    a.get("/orgs/:orgId/invoices/:id", requireAuth(), (req, res) => {
      res.json({ id: req.params.id });
    });
    const router = express.Router();
    router.get("/items/:id", (_req, res) => {
      res.status(201).end();
    });
    a.use("/api", router);
    a.get("/forbidden", (_req, res) => {
      res.status(403).end();
    });
    a.get("/boom", () => {
      throw new Error("boom");
    });
    a.get("/slow", async (_req, res) => {
      await hooks.gate;
      res.end("late");
    });
    a.use(errorHandler());
    return { app: a, log };
  }

  it("records a signed-in request with its route pattern, after the response", async () => {
    const { app: a, log } = app();
    const token = await tokenFor("user_1", "org_1");
    await request(a)
      .get("/orgs/org_1/invoices/inv_7?secret=1")
      .set("authorization", `Bearer ${token}`)
      .set("user-agent", "test-agent/1")
      .set("x-request-id", "req-123")
      .expect(200);
    const [event] = await log.until(1);
    expect(event).toEqual({
      action: "http.request",
      actor: { type: "user", id: "user_1", impersonatorId: null },
      target: { type: "route", id: "GET /orgs/:orgId/invoices/:id" },
      orgId: "org_1",
      outcome: "success",
      ip: expect.stringMatching(/127\.0\.0\.1|::1/),
      userAgent: "test-agent/1",
      requestId: "req-123",
      metadata: {
        method: "GET",
        route: "/orgs/:orgId/invoices/:id",
        status: 200,
        latencyMs: expect.any(Number),
      },
    });
    expect(event!.metadata!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("joins a mounted router's base URL and its route", async () => {
    const { app: a, log } = app();
    await request(a).get("/api/items/42").expect(201);
    expect((await log.until(1))[0]!.metadata).toMatchObject({
      route: "/api/items/:id",
      status: 201,
    });
  });

  it("falls back to the raw path without the query string when no route answered", async () => {
    const { app: a, log } = app();
    await request(a).get("/nowhere/x?token=abc#frag").expect(404);
    const [event] = await log.until(1);
    expect(event).toMatchObject({ outcome: "failure", target: { id: "GET /nowhere/x" } });
    expect(JSON.stringify(event)).not.toContain("abc");
  });

  it("records a signed-out 401 as denied with the reason, a 403 denied, a 500 failure", async () => {
    const { app: a, log } = app();
    await request(a).get("/orgs/o/invoices/1").expect(401);
    await request(a).get("/forbidden").expect(403);
    await request(a).get("/boom").expect(500);
    const events = await log.until(3);
    expect(events.map((e) => [e.outcome, e.metadata!.status])).toEqual([
      ["denied", 401],
      ["denied", 403],
      ["failure", 500],
    ]);
    expect(events[0]).toMatchObject({
      actor: { type: "user", id: null },
      orgId: null,
      metadata: { signedOut: "token_missing" },
    });
  });

  it("names an API key by its id (claims.jti), never by the key", async () => {
    const { app: a, log } = app();
    await request(a).get("/api/items/1").set("authorization", `Bearer ${API_KEY}`).expect(201);
    const [event] = await log.until(1);
    expect(event).toMatchObject({
      actor: { type: "api_key", id: "key_1" },
      orgId: "org_1",
      metadata: { subject: "user_k" },
    });
    expect(JSON.stringify(event)).not.toContain(API_KEY);
  });

  it("keeps the impersonator of an impersonation session", async () => {
    const { app: a, log } = app();
    const token = await tokenFor("user_1", null, { act: { sub: "user_support" } });
    await request(a).get("/health").set("authorization", `Bearer ${token}`).expect(200);
    expect((await log.until(1))[0]!.actor).toEqual({
      type: "user",
      id: "user_1",
      impersonatorId: "user_support",
    });
  });

  it("records nothing before the response is sent", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app: a, log } = app(undefined, { gate });
    const server = a.listen(0);
    const reached = new Promise<void>((resolve) => server.once("request", () => resolve()));
    const pending = request(server).get("/slow");
    const done = pending.then((res) => res.status);
    await reached;
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.events).toHaveLength(0);
    release();
    expect(await done).toBe(200);
    expect((await log.until(1))[0]!.metadata).toMatchObject({ route: "/slow", status: 200 });
    server.close();
  });

  it("records a request the client abandoned as an aborted failure", async () => {
    const { app: a, log } = app(undefined, { gate: new Promise(() => {}) });
    const server = a.listen(0);
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    server.once("request", () => setImmediate(() => req.destroy()));
    const req = httpRequest({ port, path: "/slow" });
    req.on("error", () => {});
    req.end();
    const [event] = await log.until(1);
    expect(event).toMatchObject({ outcome: "failure", metadata: { aborted: true } });
    server.close();
    server.closeAllConnections();
  });

  it("skips paths (and what is under them) and RegExps", async () => {
    const { app: a, log } = app({ skipPaths: ["/health", /^\/api\/items\/\d+$/] });
    await request(a).get("/health").expect(200);
    await request(a).get("/health/?x=1").expect(200);
    await request(a).get("/api/items/1").expect(201);
    await request(a).get("/api/items/x").expect(201);
    await request(a).get("/healthz").expect(404);
    const events = await log.until(2);
    expect(events.map((e) => e.target!.id)).toEqual(["GET /api/items/:id", "GET /healthz"]);
  });

  it("samples successes only: denials and failures are always recorded", async () => {
    const { app: a, log } = app({ sampleRate: 0 });
    await request(a).get("/health").expect(200);
    await request(a).get("/forbidden").expect(403);
    await request(a).get("/boom").expect(500);
    const events = await log.until(2);
    expect(events.map((e) => e.metadata!.status)).toEqual([403, 500]);
  });

  it("applies filter and actorFrom", async () => {
    const { app: a, log } = app({
      filter: (_req, res) => res.statusCode !== 201,
      actorFrom: (req) =>
        req.headers["x-service"] === "billing" ? { type: "system", id: null } : undefined,
    });
    await request(a).get("/api/items/1").expect(201);
    await request(a).get("/health").set("x-service", "billing").expect(200);
    await request(a).get("/forbidden").expect(403);
    const events = await log.until(2);
    expect(events.map((e) => [e.target!.id, e.actor])).toEqual([
      ["GET /health", { type: "system", id: null }],
      ["GET /forbidden", { type: "user", id: null }],
    ]);
  });

  it("bounds hostile input: long paths and user agents, forged request ids", async () => {
    const { app: a, log } = app();
    await request(a)
      .get(`/${"a".repeat(5000)}`)
      .set("user-agent", "u".repeat(5000))
      .set("x-request-id", "id with spaces")
      .expect(404);
    await request(a).get("/health").set("x-request-id", "r".repeat(129)).expect(200);
    const events = await log.until(2);
    expect((events[0]!.metadata!.route as string).length).toBe(512);
    expect(events[0]!.userAgent).toHaveLength(512);
    expect(events.map((e) => e.requestId)).toEqual([null, null]);
  });

  it("never fails a request when the log throws; warns once", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const a = express();
    a.use(
      auditRequests({
        record() {
          throw new Error("log is down");
        },
      }),
    );
    a.get("/", (_req, res) => {
      res.end("fine");
    });
    await request(a).get("/").expect(200, "fine");
    await request(a).get("/").expect(200, "fine");
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(1));
    expect(String(warn.mock.calls[0]![0])).toContain("log is down");
  });

  it("records an anonymous actor when authenticate() is not mounted", async () => {
    const log = memoryLog();
    const a = express();
    a.use(auditRequests(log));
    a.get("/", (_req, res) => {
      res.end();
    });
    await request(a).get("/").expect(200);
    expect((await log.until(1))[0]).toMatchObject({
      actor: { type: "user", id: null },
      orgId: null,
    });
  });
});

describe("auditRequests options", () => {
  it("refuses bad options at start-up with config_invalid", () => {
    const log = memoryLog();
    const bad = (fn: () => unknown) =>
      expect(fn).toThrowError(expect.objectContaining({ code: "config_invalid" }));
    bad(() => auditRequests(undefined as never));
    bad(() => auditRequests(log, { sampleRate: 2 }));
    bad(() => auditRequests(log, { sampleRate: -0.1 }));
    bad(() => auditRequests(log, { skipPaths: ["health"] }));
    bad(() => auditRequests(log, { filter: true as never }));
    bad(() => auditRequests(log, { typo: 1 } as never));
  });
});
