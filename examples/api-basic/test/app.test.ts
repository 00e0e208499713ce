import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clerk, createVerifier } from "@gatehouse/core";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { createAuthorizer, createCustomRoles, createMemberships } from "@gatehouse/rbac";
import { generateTestKeys, mintClerkToken } from "@gatehouse/testing";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
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
const authorizer = createAuthorizer({
  roles,
  customRoles,
  memberships: createMemberships({ records }),
});
const app = createApp(verifier, authorizer);
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

  const asMember = (role: string, org = "org_acme") => mint({ org: { id: org, role } });

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
