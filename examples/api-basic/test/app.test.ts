import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clerk, createEventBus, createVerifier } from "@gatehouse/core";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { createAuthorizer, createCustomRoles, createMemberships } from "@gatehouse/rbac";
import { generateTestKeys, mintClerkToken } from "@gatehouse/testing";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { createAppAudit } from "../src/audit.js";
import { DEV_ISSUER, DEV_ORIGIN } from "../src/config.js";
import { loadDevKeys } from "../src/dev-keys.js";
import { createAppRbac, INVOICES_MANAGE, INVOICES_READ, roles } from "../src/rbac.js";

const keys = generateTestKeys({ kid: "ins_dev" });
const verifier = createVerifier({
  issuers: [
    clerk({ jwtKey: keys.publicKeyPem, issuer: DEV_ISSUER, authorizedParties: [DEV_ORIGIN] }),
  ],
});
const records = createMemoryRecordStore();
const customRoles = createCustomRoles({ records, kv: createMemoryKeyValueStore(), roles });
await customRoles.create("org_acme", "org:billing", [INVOICES_READ, INVOICES_MANAGE]);
const events = createEventBus();
const authorizer = createAuthorizer({
  roles,
  customRoles,
  memberships: createMemberships({ records }),
  events,
});
const audit = createAppAudit(records, events);
const app = createApp(verifier, authorizer, audit);
const mint = (options: Parameters<typeof mintClerkToken>[1] = {}) =>
  mintClerkToken(keys, { issuer: DEV_ISSUER, azp: DEV_ORIGIN, ...options });

describe("examples/api-basic", () => {
  it("serves /health without a token", async () => {
    await request(app).get("/health").expect(200, { ok: true });
  });

  it("answers 200 with the caller's identity for a valid token", async () => {
    const token = await mint({ userId: "user_42", org: { id: "org_acme", role: "org:admin" } });
    const res = await request(app)
      .get("/api/me")
      .set("authorization", `Bearer ${token}`)
      .expect(200);
    expect(res.body).toMatchObject({ userId: "user_42", orgId: "org_acme", orgRole: "org:admin" });
  });

  it("answers 401 problem+json, never a redirect, without a token", async () => {
    const res = await request(app).get("/api/me").expect(401);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(res.headers.location).toBeUndefined();
    expect(res.body.code).toBe("token_missing");
  });

  it("answers 401 invalid_token for an expired token", async () => {
    const token = await mint({ expiresInSec: -120 });
    const res = await request(app)
      .get("/api/me")
      .set("authorization", `Bearer ${token}`)
      .expect(401);
    expect(res.headers["www-authenticate"]).toContain('error="invalid_token"');
    expect(res.body.code).toBe("token_expired");
    expect(JSON.stringify(res.body)).not.toContain(token.split(".")[1]);
  });

  it("says why a request is signed out on an optional-auth route", async () => {
    const res = await request(app)
      .get("/whoami")
      .set("authorization", "Bearer not.a.jwt")
      .expect(200);
    expect(res.body).toEqual({ signedIn: false, reason: "token_base64_invalid" });
  });

  const asMember = (role: string, org = "org_acme", userId = "user_test") =>
    mint({ userId, org: { id: org, role } });

  it("lets a member read the organization's invoices but not create them (403 names the permission)", async () => {
    const member = await asMember("org:member");
    await request(app)
      .get("/orgs/org_acme/invoices")
      .set("authorization", `Bearer ${member}`)
      .expect(200);
    const res = await request(app)
      .post("/orgs/org_acme/invoices")
      .set("authorization", `Bearer ${member}`)
      .send({ total: 10 })
      .expect(403);
    expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: "forbidden",
      reason: "missing_permission",
      missing: [INVOICES_MANAGE],
    });
  });

  it("lets an admin create invoices and delete them", async () => {
    const admin = await asMember("org:admin");
    await request(app)
      .post("/orgs/org_acme/invoices")
      .set("authorization", `Bearer ${admin}`)
      .send({ total: 99 })
      .expect(201);
    await request(app)
      .delete("/orgs/org_acme/invoices/inv_1")
      .set("authorization", `Bearer ${admin}`)
      .expect(200);
  });

  it("grants a runtime custom role its stored permissions, but not admin rights", async () => {
    const billing = await asMember("org:billing");
    await request(app)
      .post("/orgs/org_acme/invoices")
      .set("authorization", `Bearer ${billing}`)
      .send({ total: 5 })
      .expect(201);
    await request(app)
      .delete("/orgs/org_acme/invoices/inv_1")
      .set("authorization", `Bearer ${billing}`)
      .expect(403);
  });

  it("refuses a token of another organization on this organization's routes", async () => {
    const outsider = await asMember("org:admin", "org_other");
    const res = await request(app)
      .get("/orgs/org_acme/invoices")
      .set("authorization", `Bearer ${outsider}`)
      .expect(403);
    expect(res.body.reason).toBe("org_mismatch");
  });

  it("answers 401, not 403, when signed out", async () => {
    await request(app).get("/orgs/org_acme/invoices").expect(401);
  });

  it("records requests and RBAC denials in the organization's trail, for its admins only", async () => {
    const member = await asMember("org:member", "org_acme", "user_member");
    const admin = await asMember("org:admin", "org_acme", "user_admin");
    const outsider = await asMember("org:admin", "org_other", "user_outsider");
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    await request(app).get("/orgs/org_acme/invoices").set(bearer(member)).expect(200);
    await request(app).post("/orgs/org_acme/invoices").set(bearer(member)).send({}).expect(403);
    await request(app).get("/orgs/org_other/invoices").set(bearer(outsider)).expect(200);

    // Only the organization's admins may read its trail.
    await request(app).get("/orgs/org_acme/audit/events").expect(401);
    await request(app).get("/orgs/org_acme/audit/events").set(bearer(member)).expect(403);
    await request(app).get("/orgs/org_acme/audit/events").set(bearer(outsider)).expect(403);
    await audit.log.flush();

    const trail = async (qs: string) =>
      (await request(app).get(`/orgs/org_acme/audit/events?${qs}`).set(bearer(admin)).expect(200))
        .body.events as Record<string, unknown>[];
    const requests = await trail("actor=user_member&action=http.request");
    expect(requests.map((e) => [e.targetId, e.outcome])).toEqual([
      ["GET /orgs/org_acme/audit/events", "denied"],
      ["POST /orgs/:orgId/invoices", "denied"],
      ["GET /orgs/:orgId/invoices", "success"],
    ]);
    const denials = await trail("actor=user_member&action=authz.denied");
    expect(denials).toContainEqual(
      expect.objectContaining({
        orgId: "org_acme",
        outcome: "denied",
        metadata: expect.objectContaining({
          rule: `permission:${INVOICES_MANAGE}`,
          reason: "missing_permission",
        }),
      }),
    );
    // Scoped to the organization: the outsider's own requests are not in it, only their
    // denied attempt at this organization's trail.
    const all = await trail("limit=200");
    expect(all.every((e) => e.orgId === "org_acme")).toBe(true);
    expect(all.filter((e) => e.actorId === "user_outsider").map((e) => e.action)).toEqual([
      "authz.denied",
    ]);
    const csv = await request(app)
      .get("/orgs/org_acme/audit/export?format=csv&outcome=denied")
      .set(bearer(admin))
      .expect(200);
    expect(csv.headers["content-disposition"]).toContain("audit-org_acme.csv");
    expect(csv.text).toContain("authz.denied");
  });

  it("keeps custom roles in the SQLite file across restarts (the embedded default)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "gh-api-basic-")), "data.sqlite");
    const first = await createAppRbac(file);
    await first.store.close();
    const second = await createAppRbac(file);
    expect(await second.customRoles.list("org_acme")).toHaveLength(1);
    await second.store.close();
  });

  it("creates the development key pair once and reuses it", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "gh-dev-keys-")), "keys");
    const first = loadDevKeys(dir);
    expect(loadDevKeys(dir)).toEqual(first);
    expect(first.publicKeyPem).toContain("BEGIN PUBLIC KEY");
  });
});
