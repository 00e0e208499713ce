import type { IncomingMessage } from "node:http";
import { authenticate, errorHandler, getAuth, type Middleware } from "@gatehouse/express";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { beforeAll, describe, expect, it } from "vitest";
import { type AuditRouterOptions, auditRouter } from "../express.js";
import type { AuditQuery } from "../query.js";
import { makeVerifier, seededQuery, T0, tokenFor } from "./test-helpers.js";

const verifier = makeVerifier();
const frameworks = { "express 5": express5, "express 4": express4 };

/** Admins of their active organization read its trail; anyone else gets no scope. */
const adminScope = (req: IncomingMessage) => {
  const auth = getAuth(req);
  return auth.orgRole === "org:admin" && auth.orgId !== null ? { orgId: auth.orgId } : null;
};

let query: AuditQuery;
let admin: string;
let member: string;
beforeAll(async () => {
  ({ query } = await seededQuery());
  admin = await tokenFor("user_1", "org_1");
  member = await tokenFor("user_2", "org_1", { role: "org:member" });
});

describe.each(Object.entries(frameworks))("auditRouter on %s", (_name, express) => {
  function app(options: Partial<AuditRouterOptions> = {}, q: AuditQuery = query) {
    const a = express();
    a.use(authenticate(verifier));
    a.use("/audit", auditRouter(q, { scope: adminScope, ...options }));
    a.use(errorHandler());
    return a;
  }
  const get = (a: ReturnType<typeof app>, path: string, token = admin) =>
    request(a).get(path).set("authorization", `Bearer ${token}`);

  it("lists the scoped organization's events only, newest first, not cached", async () => {
    const res = await get(app(), "/audit/events").expect(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.events.map((e: { action: string }) => e.action)).toEqual([
      "admin.user.updated",
      "http.request",
      "authz.denied",
      "session.created",
    ]);
    expect(res.body.events.every((e: { orgId: string }) => e.orgId === "org_1")).toBe(true);
  });

  it("filters by actor, action, namespace, target, outcome and time", async () => {
    const a = app();
    const actions = async (qs: string) =>
      (await get(a, `/audit/events?${qs}`).expect(200)).body.events.map(
        (e: { action: string }) => e.action,
      );
    expect(await actions("actor=user_1")).toEqual(["admin.user.updated", "session.created"]);
    expect(await actions("action=authz.denied")).toEqual(["authz.denied"]);
    expect(await actions("action=session.*")).toEqual(["session.created"]);
    expect(await actions("target=user_2")).toEqual(["admin.user.updated"]);
    expect(await actions("outcome=denied")).toEqual(["authz.denied"]);
    expect(await actions(`from=${T0 + 60_000}&to=${T0 + 180_000}`)).toEqual([
      "http.request",
      "authz.denied",
    ]);
    const iso = new Date(T0 + 120_000).toISOString();
    expect(await actions(`from=${encodeURIComponent(iso)}`)).toEqual([
      "admin.user.updated",
      "http.request",
    ]);
  });

  it("pages with limit and cursor, without gaps or repeats", async () => {
    const a = app();
    const first = (await get(a, "/audit/events?limit=3").expect(200)).body;
    expect(first.events).toHaveLength(3);
    const rest = (await get(a, `/audit/events?limit=3&cursor=${first.nextCursor}`).expect(200))
      .body;
    expect(rest.events.map((e: { action: string }) => e.action)).toEqual(["session.created"]);
    expect(rest.nextCursor).toBeNull();
  });

  it("answers 401 signed out and 403 without a scope", async () => {
    const out = await request(app()).get("/audit/events").expect(401);
    expect(out.headers["www-authenticate"]).toMatch(/^Bearer/);
    const refused = await get(app(), "/audit/export", member).expect(403);
    expect(refused.headers["content-type"]).toMatch(/problem\+json/);
    expect(refused.body.code).toBe("forbidden");
  });

  it("runs the guard first and lets it answer", async () => {
    const deny: Middleware = (_req, res) => {
      res.statusCode = 403;
      res.end("guarded");
    };
    await get(app({ guard: deny }), "/audit/events").expect(403, "guarded");
    const pass: Middleware = (_req, _res, next) => next();
    await get(app({ guard: pass }), "/audit/events").expect(200);
    const fail: Middleware = (_req, _res, next) => next(new Error("guard broke"));
    await get(app({ guard: fail }), "/audit/events").expect(500);
  });

  it("takes an async scope, and refuses a malformed one as a server error", async () => {
    await get(app({ scope: async () => ({ orgId: "org_2" }) }), "/audit/events")
      .expect(200)
      .expect((res) => expect(res.body.events).toHaveLength(1));
    const bad = await get(app({ scope: () => ({ orgId: 42 }) as never }), "/audit/events");
    expect(bad.status).toBe(500);
    expect(bad.body.code).toBe("config_invalid");
    await get(
      app({
        scope: () => {
          throw new Error("scope broke");
        },
      }),
      "/audit/events",
    ).expect(500);
  });

  it("cannot be widened by the query string", async () => {
    const a = app();
    for (const qs of ["orgId=org_2", "scope[orgId]=org_2", "scope=org_2", "orgId="]) {
      const res = await get(a, `/audit/events?${qs}`).expect(400);
      expect(res.body.code).toBe("input_invalid");
    }
  });

  it.each([
    ["a repeated key", "actor=a&actor=b"],
    ["an unknown key", "evil=1"],
    ["__proto__", "__proto__=x"],
    ["constructor", "constructor=x"],
    ["a long key", `${"k".repeat(5000)}=1`],
    ["a long value", `actor=${"a".repeat(5000)}`],
    ["a NUL byte", "actor=a%00b"],
    ["a control character", "target=%1B%5B31m"],
    ["limit 0", "limit=0"],
    ["limit 201", "limit=201"],
    ["limit in exponent form", "limit=1e2"],
    ["a negative limit", "limit=-1"],
    ["a bad date", "from=yesterday"],
    ["from after to", `from=${T0 + 1}&to=${T0}`],
    ["an unknown outcome", "outcome=maybe"],
    ["an action with spaces", "action=session%20revoked"],
    ["a double namespace", "action=session.*.*"],
    ["a forged cursor", "cursor=AAAAAAAA"],
    ["a cursor with odd characters", "cursor=%27%3B--"],
    ["format on /events", "format=csv"],
  ])("refuses %s with 400 input_invalid, never echoing it", async (_what, qs) => {
    const res = await get(app(), `/audit/events?${qs}`).expect(400);
    expect(res.headers["content-type"]).toMatch(/problem\+json/);
    expect(res.body.code).toBe("input_invalid");
    expect(res.text).not.toContain("aaaaaaaaaa");
    expect(res.text).not.toContain("31m");
  });

  it("reads invalid UTF-8 as U+FFFD, which matches nothing", async () => {
    const res = await get(app(), "/audit/events?actor=%ED%A0%80").expect(200);
    expect(res.body.events).toEqual([]);
  });

  it("exports CSV as a download, scoped and filtered, with formulas neutralised", async () => {
    const res = await get(app(), "/audit/export?format=csv&action=session.*").expect(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="audit-org_1.csv"');
    expect(res.headers["cache-control"]).toBe("no-store");
    const lines = res.text.trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,time,action,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("user_1");
    expect(lines[1]).not.toContain(",=HYPERLINK");
    expect(res.text).not.toContain("user_9");
  });

  it("exports JSON Lines by default", async () => {
    const res = await get(app(), "/audit/export?outcome=success").expect(200);
    expect(res.headers["content-type"]).toBe("application/jsonl; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="audit-org_1.jsonl"');
    const events = res.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.action)).toEqual([
      "admin.user.updated",
      "http.request",
      "session.created",
    ]);
    expect(events.every((e) => e.orgId === "org_1" && typeof e.hash === "string")).toBe(true);
  });

  it("refuses paging and unknown formats on /export", async () => {
    for (const qs of ["format=xml", "cursor=abc", "limit=5", "format=csv&format=jsonl"]) {
      expect((await get(app(), `/audit/export?${qs}`).expect(400)).body.code).toBe("input_invalid");
    }
  });

  it("cuts the download, never ends it cleanly, when the store fails mid-export", async () => {
    let calls = 0;
    const failing: AuditQuery = {
      search: async (filter) => {
        calls++;
        if (calls > 2) throw new Error("store down");
        const page = await query.search({ ...filter, limit: 1 });
        return { ...page, nextCursor: page.nextCursor };
      },
    };
    await expect(get(app({}, failing), "/audit/export?format=jsonl")).rejects.toThrow();
  });

  it("answers a store failure before the first byte with the error handler", async () => {
    const down: AuditQuery = {
      search: async () => {
        throw new Error("store down");
      },
    };
    await get(app({}, down), "/audit/events").expect(500);
    await get(app({}, down), "/audit/export").expect(500);
    await get(app({}, down), "/audit/export?format=csv").expect(500);
  });

  it("passes other paths and methods on", async () => {
    const a = app();
    await get(a, "/audit/elsewhere").expect(404);
    await request(a).post("/audit/events").set("authorization", `Bearer ${admin}`).expect(404);
    await get(a, "/audit/events/").expect(200);
  });
});

describe("auditRouter set-up", () => {
  it("refuses bad arguments at start-up with config_invalid", () => {
    const bad = (fn: () => unknown) =>
      expect(fn).toThrowError(expect.objectContaining({ code: "config_invalid" }));
    bad(() => auditRouter({} as never, { scope: adminScope }));
    bad(() => auditRouter(query, undefined as never));
    bad(() => auditRouter(query, {} as never));
    bad(() => auditRouter(query, { scope: adminScope, guard: "admin" as never }));
    bad(() => auditRouter(query, { scope: adminScope, typo: true } as never));
  });

  it("fails a request with config_invalid when authenticate() is not mounted", async () => {
    const a = express5();
    a.use("/audit", auditRouter(query, { scope: adminScope }));
    a.use(errorHandler());
    expect((await request(a).get("/audit/events").expect(500)).body.code).toBe("config_invalid");
  });
});
