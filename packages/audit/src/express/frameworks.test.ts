// The request logger and the audit routes under plain Connect and a bare node:http server:
// nothing needs Express. Requests are recorded by a real log into a memory store and read back.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createMemoryRecordStore } from "@gatehouse/core/store";
import { authenticate, errorHandler, getAuth } from "@gatehouse/express";
import connect from "connect";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { auditRequests, auditRouter } from "../express.js";
import { createAuditLog } from "../log.js";
import { createAuditQuery } from "../query.js";
import { recordStoreSink } from "../sinks.js";
import { makeVerifier, memoryLog, tokenFor } from "./test-helpers.js";

const verifier = makeVerifier();
const scope = (req: IncomingMessage) => {
  const orgId = getAuth(req).orgId;
  return orgId === null ? null : { orgId };
};

/** A real log on a memory store; `seen.until(n)` resolves once `n` requests were recorded. */
function trail() {
  const records = createMemoryRecordStore();
  const log = createAuditLog({ sinks: [recordStoreSink(records)] });
  const seen = memoryLog();
  const tee = {
    record: (e: Parameters<typeof log.record>[0]) => {
      log.record(e);
      seen.record(e);
    },
  };
  return { log, tee, seen, query: createAuditQuery(records) };
}

const invoices = (_req: IncomingMessage, res: ServerResponse) => {
  res.statusCode = 200;
  res.setHeader("content-type", "application/json");
  res.end("[]");
};

describe("under connect", () => {
  it("records requests by raw path and serves them back, scoped", async () => {
    const t = trail();
    const app = connect();
    app.use(auditRequests(t.tee));
    app.use(authenticate(verifier));
    app.use("/orgs/org_1/invoices", invoices);
    app.use("/audit", auditRouter(t.query, { scope }));
    app.use(errorHandler());
    const server = createServer(app);
    const token = await tokenFor("user_1", "org_1");
    await request(server).get("/orgs/org_1/invoices?x=1").set("authorization", `Bearer ${token}`);
    await request(server).get("/audit/events").expect(401);
    await t.seen.until(2);
    await t.log.flush();
    const res = await request(server)
      .get("/audit/events?action=http.request&outcome=success")
      .set("authorization", `Bearer ${token}`)
      .expect(200);
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({
      actorId: "user_1",
      orgId: "org_1",
      targetId: "GET /orgs/org_1/invoices",
      metadata: { method: "GET", route: "/orgs/org_1/invoices", status: 200 },
    });
    const csv = await request(server)
      .get("/audit/export?format=csv")
      .set("authorization", `Bearer ${token}`)
      .expect(200);
    expect(csv.headers["content-disposition"]).toBe('attachment; filename="audit-org_1.csv"');
    await t.log.close();
  });
});

describe("under node:http", () => {
  it("chains the middleware by hand", async () => {
    const t = trail();
    const record = auditRequests(t.tee);
    const auth = authenticate(verifier);
    const router = auditRouter(t.query, { scope });
    const onError = errorHandler();
    const server = createServer((req, res) => {
      const fail = (err: unknown) =>
        onError(err, req, res, () => {
          res.statusCode = 500;
          res.end();
        });
      record(req, res, () =>
        auth(req, res, (err) => {
          if (err) return fail(err);
          if (req.url?.startsWith("/audit/")) {
            req.url = req.url.slice("/audit".length);
            return router(req, res, (e) => (e ? fail(e) : invoices(req, res)));
          }
          invoices(req, res);
        }),
      );
    });
    const token = await tokenFor("user_1", "org_1");
    await request(server).get("/anything").set("authorization", `Bearer ${token}`).expect(200);
    await t.seen.until(1);
    await t.log.flush();
    const res = await request(server)
      .get("/audit/events")
      .set("authorization", `Bearer ${token}`)
      .expect(200);
    expect(res.body.events.map((e: { targetId: string }) => e.targetId)).toEqual(["GET /anything"]);
    await t.log.close();
  });
});
