import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clerk, createVerifier } from "@gatehouse/core";
import { generateTestKeys, mintClerkToken } from "@gatehouse/testing";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { DEV_ISSUER, DEV_ORIGIN } from "../src/config.js";
import { loadDevKeys } from "../src/dev-keys.js";

const keys = generateTestKeys({ kid: "ins_dev" });
const verifier = createVerifier({
  issuers: [
    clerk({ jwtKey: keys.publicKeyPem, issuer: DEV_ISSUER, authorizedParties: [DEV_ORIGIN] }),
  ],
});
const app = createApp(verifier);
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

  it("checks permissions with has()", async () => {
    const reader = await mint({
      org: { id: "org_acme", role: "org:member", permissions: ["org:invoices:read"] },
    });
    const outsider = await mint({ org: { id: "org_acme", role: "org:member" } });
    await request(app).get("/api/invoices").set("authorization", `Bearer ${reader}`).expect(200);
    await request(app).get("/api/invoices").set("authorization", `Bearer ${outsider}`).expect(403);
  });

  it("creates the development key pair once and reuses it", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "gh-dev-keys-")), "keys");
    const first = loadDevKeys(dir);
    expect(loadDevKeys(dir)).toEqual(first);
    expect(first.publicKeyPem).toContain("BEGIN PUBLIC KEY");
  });
});
