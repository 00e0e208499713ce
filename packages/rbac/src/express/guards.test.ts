// The guards on a real Express 5 and Express 4 app, with real Clerk-shaped
// tokens verified by a real verifier + authenticate(), deciding with the real
// createAuthorizer().
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { createEventBus, GatehouseError } from "@gatehouse/core";
import { authenticate, errorHandler, requireAuth } from "@gatehouse/express";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createGuards, permission, role, scope } from "../express.js";
import { createAuthorizer, defineRoles } from "../index.js";
import type { Authorizer } from "../types.js";
import { fakeAuthorizer, makeVerifier, ok, token } from "./test-helpers.js";

const verifier = makeVerifier();
const roles = defineRoles({
  roles: {
    "org:member": { permissions: ["org:invoices:read"] },
    "org:billing": { permissions: ["org:invoices:read"], inherits: ["org:member"] },
    "org:admin": { permissions: ["org:invoices:*"], inherits: ["org:member"] },
  },
});
const events = createEventBus();
const denied: unknown[] = [];
events.on("authz.denied", (event) => {
  denied.push(event);
});
const authorizer = createAuthorizer({ roles, events });

type App = ReturnType<typeof express5>;

function routes(app: App, authorizer: Authorizer): App {
  const guard = createGuards(authorizer, { orgParam: "orgId", realm: "api" });
  app.use(authenticate(verifier));
  app.get("/signed-in", guard.requireAuth, ok);
  app.get("/org", guard.requireOrg, ok);
  app.get("/admin", guard.requireOrgAdmin, ok);
  app.get("/role", guard.requireRole("org:billing"), ok);
  app.get("/read", guard.requirePermission("org:invoices:read"), ok);
  app.get(
    "/read-and-manage",
    guard.requirePermission(["org:invoices:read", "org:invoices:manage"]),
    ok,
  );
  app.get(
    "/read-or-manage",
    guard.requirePermission(["org:invoices:read", "org:invoices:manage"], { mode: "any" }),
    ok,
  );
  app.get("/feature", guard.requireFeature("export"), ok);
  app.get("/plan", guard.requirePlan("pro"), ok);
  app.get("/fresh", guard.requireReverification("strict"), ok);
  app.get(
    "/fresh-custom",
    guard.requireReverification({ level: "first_factor", afterMinutes: 5 }),
    ok,
  );
  app.get("/scoped", guard.requireScope(["invoices:read", "invoices:write"]), ok);
  app.get("/orgs/:orgId/invoices", guard.requirePermission("org:invoices:read"), ok);
  app.get("/orgs/:orgId/settings", guard.requireOrg, ok);
  app.get("/void", guard.anyOf(role("org:admin"), permission("org:invoices:manage")), ok);
  app.get(
    "/export",
    guard.allOf(
      guard.requirePermission("org:invoices:read"),
      guard.requireThat("not_impersonated", (auth) => auth.actor === null),
    ),
    ok,
  );
  app.get(
    "/weekday",
    guard.requireThat("weekday", async () => false),
    ok,
  );
  app.get("/any-scope", guard.anyOf(scope("invoices:read"), role("org:admin")), ok);
  app.use(errorHandler({ realm: "api" }));
  return app;
}

const builders = {
  "express 5": (a: Authorizer) => routes(express5(), a),
  "express 4": (a: Authorizer) => routes(express4() as unknown as App, a),
};

const member = { id: "org_1", role: "org:member", permissions: ["org:invoices:read"] };
const admin = { id: "org_1", role: "org:admin", permissions: ["org:invoices:read"] };
const manager = { id: "org_1", role: "org:member", permissions: ["org:invoices:manage"] };

function bearer(t: string): [string, string] {
  return ["authorization", `Bearer ${t}`];
}

/** Asserts a 403 problem body naming `reason` and `missing`, without the token. */
function expect403(res: request.Response, reason: string, missing: string[], t?: string) {
  expect(res.status).toBe(403);
  expect(res.headers["content-type"]).toBe("application/problem+json");
  expect(res.headers["cache-control"]).toBe("no-store");
  expect(res.headers["x-content-type-options"]).toBe("nosniff");
  const body = JSON.parse(res.text);
  expect(body).toMatchObject({
    type: "https://gatehouse.dev/errors/forbidden",
    title: "Forbidden",
    status: 403,
    code: "forbidden",
    reason,
    missing,
  });
  expect(typeof body.detail).toBe("string");
  if (reason.startsWith("missing_") || reason === "predicate_failed") {
    for (const m of missing) expect(body.detail).toContain(m);
  }
  if (t !== undefined) {
    const signature = t.split(".")[2]!;
    for (const text of [res.text, JSON.stringify(res.headers)]) {
      expect(text).not.toContain(t);
      expect(text).not.toContain(signature);
    }
  }
  return body;
}

describe.each(Object.keys(builders) as (keyof typeof builders)[])("%s", (name) => {
  const app = builders[name](authorizer);

  describe("signed out", () => {
    it("answers 401 exactly as @gatehouse/express requireAuth", async () => {
      const ref = express5();
      ref.use(authenticate(verifier));
      ref.get("/read", requireAuth({ realm: "api" }), ok);
      const expected = await request(ref).get("/read");
      const res = await request(app).get("/read");
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
      expect(res.headers["content-type"]).toBe("application/problem+json");
      expect(res.text).toBe(expected.text);
      expect(res.body.code).toBe("token_missing");
    });

    it("answers 401 invalid_token for an expired token, without echoing it", async () => {
      const t = await token({ org: member, expiresInSec: -300 });
      const res = await request(app)
        .get("/read")
        .set(...bearer(t));
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer realm="api", error="invalid_token"/);
      expect(res.text).not.toContain(t.split(".")[2]!);
    });

    it("re-exports requireAuth, bound to the realm", async () => {
      const res = await request(app).get("/signed-in");
      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
    });
  });

  describe.each([1, 2] as const)("Clerk session token v%i", (version) => {
    it("lets an allowed permission through (200)", async () => {
      const res = await request(app)
        .get("/read")
        .set(...bearer(await token({ version, org: member })));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
    });

    it("answers 403 naming the missing permission, never the token", async () => {
      const t = await token({ version, org: member });
      const res = await request(app)
        .get("/read-and-manage")
        .set(...bearer(t));
      const body = expect403(res, "missing_permission", ["org:invoices:manage"], t);
      expect(body.detail).toBe("Missing permission: org:invoices:manage.");
      expect(res.headers["www-authenticate"]).toBeUndefined();
      expect(Object.keys(body)).toEqual([
        "type",
        "title",
        "status",
        "detail",
        "code",
        "reason",
        "missing",
      ]);
    });

    it("accepts one of several permissions with mode any", async () => {
      const res = await request(app)
        .get("/read-or-manage")
        .set(...bearer(await token({ version, org: manager })));
      expect(res.status).toBe(200);
    });

    it("requireRole: 200 for the role, 403 missing_role otherwise", async () => {
      const billing = { id: "org_1", role: "org:billing" };
      expect(
        (
          await request(app)
            .get("/role")
            .set(...bearer(await token({ version, org: billing })))
        ).status,
      ).toBe(200);
      const res = await request(app)
        .get("/role")
        .set(...bearer(await token({ version, org: member })));
      expect403(res, "missing_role", ["org:billing"]);
    });

    it("requireOrg: 403 no_active_org without an organization", async () => {
      const res = await request(app)
        .get("/org")
        .set(...bearer(await token({ version })));
      expect403(res, "no_active_org", []);
      const inOrg = await request(app)
        .get("/org")
        .set(...bearer(await token({ version, org: member })));
      expect(inOrg.status).toBe(200);
    });

    it("requireOrgAdmin: 200 for an admin, 403 for a member", async () => {
      const yes = await request(app)
        .get("/admin")
        .set(...bearer(await token({ version, org: admin })));
      expect(yes.status).toBe(200);
      const no = await request(app)
        .get("/admin")
        .set(...bearer(await token({ version, org: member })));
      expect403(no, "missing_role", ["org:admin"]);
    });

    it("takes the organization from the route: 200 for the token's org, 403 org_mismatch for another", async () => {
      const t = await token({ version, org: member });
      expect(
        (
          await request(app)
            .get("/orgs/org_1/invoices")
            .set(...bearer(t))
        ).status,
      ).toBe(200);
      const res = await request(app)
        .get("/orgs/org_2/invoices")
        .set(...bearer(t));
      expect403(res, "org_mismatch", ["org_2"], t);
      const settings = await request(app)
        .get("/orgs/org_2/settings")
        .set(...bearer(t));
      expect403(settings, "org_mismatch", ["org_2"]);
    });

    it("anyOf: passes on any operand, and a denial names what was missing", async () => {
      expect(
        (
          await request(app)
            .get("/void")
            .set(...bearer(await token({ version, org: manager })))
        ).status,
      ).toBe(200);
      expect(
        (
          await request(app)
            .get("/void")
            .set(...bearer(await token({ version, org: admin })))
        ).status,
      ).toBe(200);
      const res = await request(app)
        .get("/void")
        .set(...bearer(await token({ version, org: member })));
      // The authorizer reports the first alternative that failed.
      expect403(res, "missing_role", ["org:admin"]);
    });

    it("allOf of guards: a permission and a predicate", async () => {
      const t = await token({ version, org: member });
      expect(
        (
          await request(app)
            .get("/export")
            .set(...bearer(t))
        ).status,
      ).toBe(200);
      const impersonated = await token({ version, org: member, act: { sub: "user_support" } });
      const res = await request(app)
        .get("/export")
        .set(...bearer(impersonated));
      expect403(res, "predicate_failed", ["not_impersonated"]);
    });
  });

  it("requireThat: an async predicate that fails is a 403 naming it", async () => {
    const res = await request(app)
      .get("/weekday")
      .set(...bearer(await token({ org: member })));
    const body = expect403(res, "predicate_failed", ["weekday"]);
    expect(body.detail).toBe("Failed check: weekday.");
  });

  it("requireFeature / requirePlan read Clerk v2 fea and pla", async () => {
    const paid = await token({ features: ["o:export"], plans: ["o:pro"], org: member });
    expect(
      (
        await request(app)
          .get("/feature")
          .set(...bearer(paid))
      ).status,
    ).toBe(200);
    expect(
      (
        await request(app)
          .get("/plan")
          .set(...bearer(paid))
      ).status,
    ).toBe(200);
    const free = await token({ plans: ["u:free"] });
    expect403(
      await request(app)
        .get("/feature")
        .set(...bearer(free)),
      "missing_feature",
      ["export"],
    );
    expect403(
      await request(app)
        .get("/plan")
        .set(...bearer(free)),
      "missing_plan",
      ["pro"],
    );
  });

  describe("requireScope", () => {
    it("answers 403 with an RFC 6750 insufficient_scope challenge listing the scopes", async () => {
      const t = await token({ claims: { scope: "invoices:read" } });
      const res = await request(app)
        .get("/scoped")
        .set(...bearer(t));
      expect403(res, "missing_scope", ["invoices:write"], t);
      expect(res.headers["www-authenticate"]).toBe(
        'Bearer realm="api", error="insufficient_scope", scope="invoices:read invoices:write"',
      );
    });

    it("lets a token with every scope through", async () => {
      const t = await token({ claims: { scope: "invoices:write invoices:read" } });
      expect(
        (
          await request(app)
            .get("/scoped")
            .set(...bearer(t))
        ).status,
      ).toBe(200);
    });

    it("inside anyOf, the challenge lists what the decision says is missing", async () => {
      const res = await request(app)
        .get("/any-scope")
        .set(...bearer(await token({ org: member })));
      expect(res.status).toBe(403);
      expect(res.body.reason).toBe("missing_scope");
      expect(res.headers["www-authenticate"]).toBe(
        'Bearer realm="api", error="insufficient_scope", scope="invoices:read"',
      );
    });
  });

  describe("requireReverification", () => {
    it("answers 403 in the shape Clerk's useReverification() understands", async () => {
      const t = await token({ org: member, fva: [30, 30] });
      const res = await request(app)
        .get("/fresh")
        .set(...bearer(t));
      const body = expect403(res, "reverification_required", ["second_factor"], t);
      expect(body.clerk_error).toEqual({
        type: "forbidden",
        reason: "reverification-error",
        metadata: { reverification: { level: "second_factor", afterMinutes: 10 } },
      });
      expect(body.detail).toBe("Reverification required: second_factor within 10 minutes.");
      // The exact predicate @clerk/shared's isReverificationHint() applies.
      expect(body.clerk_error.type === "forbidden" && body.clerk_error.reason).toBe(
        "reverification-error",
      );
    });

    it("lets a freshly verified session through, custom level included", async () => {
      const fresh = await token({ org: member, fva: [1, 2] });
      expect(
        (
          await request(app)
            .get("/fresh")
            .set(...bearer(fresh))
        ).status,
      ).toBe(200);
      expect(
        (
          await request(app)
            .get("/fresh-custom")
            .set(...bearer(fresh))
        ).status,
      ).toBe(200);
      const stale = await request(app)
        .get("/fresh-custom")
        .set(...bearer(await token({ fva: [6, -1] })));
      expect(stale.body.clerk_error.metadata.reverification).toEqual({
        level: "first_factor",
        afterMinutes: 5,
      });
    });
  });

  it("passes an authorizer failure to next(err): a store outage is a 503, not a 403", async () => {
    const down = builders[name]({
      decide: () => Promise.reject(new GatehouseError("store_unavailable", "Store is down.")),
    });
    const res = await request(down)
      .get("/read")
      .set(...bearer(await token({ org: member })));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("store_unavailable");
  });

  it("a guard without authenticate() mounted is a 500 config error, like requireAuth", async () => {
    const bare = name === "express 5" ? express5() : (express4() as unknown as App);
    const guard = createGuards(authorizer);
    bare.get("/read", guard.requirePermission("org:invoices:read"), ok);
    bare.use(errorHandler());
    const res = await request(bare)
      .get("/read")
      .set(...bearer(await token({ org: member })));
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("config_invalid");
    expect(res.body.detail).toContain("authenticate()");
  });
});

describe("node:http", () => {
  it("the same guard answers 200 / 403 on a bare server", async () => {
    const auth = authenticate(verifier);
    const guard = createGuards(authorizer).requirePermission("org:invoices:manage");
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const fail = (err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      };
      auth(req, res, (err) => {
        if (err) return fail(err);
        guard(req, res, (e) => (e ? fail(e) : ok(req, res)));
      });
    });
    const yes = await request(server)
      .get("/")
      .set(...bearer(await token({ org: manager })));
    expect(yes.status).toBe(200);
    const no = await request(server)
      .get("/")
      .set(...bearer(await token({ org: member })));
    expect403(no, "missing_permission", ["org:invoices:manage"]);
  });
});

describe("orgParam", () => {
  it("passes the route's organization to decide() only when the route has the parameter", async () => {
    const authorizer = fakeAuthorizer();
    const guard = createGuards(authorizer, { orgParam: "orgId" });
    const app = express5();
    app.use(authenticate(verifier));
    app.get("/read", guard.requirePermission("org:invoices:read"), ok);
    app.get("/orgs/:orgId/read", guard.requirePermission("org:invoices:read"), ok);
    const t = await token({ org: member });
    await request(app)
      .get("/read")
      .set(...bearer(t));
    await request(app)
      .get("/orgs/org_1/read")
      .set(...bearer(t));
    expect(authorizer.calls.map((c) => c.options)).toEqual([{}, { orgId: "org_1" }]);
  });

  it("refuses a parameter that is not a single value (an Express 5 wildcard) without asking", async () => {
    const authorizer = fakeAuthorizer();
    const guard = createGuards(authorizer, { orgParam: "orgId" });
    const app = express5();
    app.use(authenticate(verifier));
    app.get("/orgs/*orgId", guard.requireOrg, ok);
    const res = await request(app)
      .get("/orgs/org_1/x")
      .set(...bearer(await token({ org: member })));
    expect403(res, "org_mismatch", []);
    expect(authorizer.calls).toEqual([]);
  });

  it("is ignored when not configured", async () => {
    const authorizer = fakeAuthorizer();
    const guard = createGuards(authorizer);
    const app = express5();
    app.use(authenticate(verifier));
    app.get("/orgs/:orgId/read", guard.requireOrg, ok);
    const res = await request(app)
      .get("/orgs/org_2/read")
      .set(...bearer(await token({ org: member })));
    expect(res.status).toBe(200);
    expect(authorizer.calls[0]!.options).toEqual({});
  });
});

describe("events", () => {
  it("the authorizer reports each denial as authz.denied; no token material", async () => {
    const app = builders["express 5"](authorizer);
    denied.length = 0;
    const t = await token({ org: member });
    await request(app)
      .get("/read-and-manage")
      .set(...bearer(t));
    await request(app)
      .get("/read")
      .set(...bearer(t));
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      type: "authz.denied",
      data: {
        userId: "user_42",
        orgId: "org_1",
        reason: "missing_permission",
        missing: ["org:invoices:manage"],
      },
    });
    expect(JSON.stringify(denied)).not.toContain(t.split(".")[2]!);
  });
});
