// apiKeyRouter() + requireScope() with real keys, on Express 5 and Express 4.
import request from "supertest";
import { describe, expect, it } from "vitest";
import { apiKeyRouter } from "../express.js";
import {
  buildApp,
  CHROME,
  expectNoSecret,
  expectProblem,
  FRAMEWORKS,
  service,
} from "./test-helpers.js";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(FRAMEWORKS)("apiKeyRouter() on %s", (framework) => {
  const { sessions, verifier, clock } = service();
  const app = buildApp(framework, sessions, verifier);

  async function userToken(userId = "user_k"): Promise<string> {
    const res = await request(app)
      .post("/sign-in")
      .set("user-agent", CHROME)
      .send({ userId })
      .expect(201);
    return res.body.accessToken;
  }

  async function createKey(token: string, body: object = { name: "ci", scopes: ["reports:read"] }) {
    const res = await request(app).post("/api-keys").set(bearer(token)).send(body).expect(201);
    return res;
  }

  it("POST / creates a key for the caller: 201 { key, apiKey }, no-store, the key shown once", async () => {
    const token = await userToken();
    const res = await createKey(token, {
      name: "reporting",
      scopes: ["reports:read"],
      expiresInSec: 3600,
    });
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.key).toMatch(/^gh_sk_/);
    expect(res.body.apiKey).toMatchObject({
      subject: "user_k",
      name: "reporting",
      scopes: ["reports:read"],
      kind: "secret",
      status: "active",
      createdBy: "user_k",
      expiresAt: clock.now() + 3_600_000,
    });
    const list = await request(app).get("/api-keys").set(bearer(token)).expect(200);
    expect(list.headers["cache-control"]).toBe("no-store");
    expect(list.body.apiKeys.map((k: { id: string }) => k.id)).toContain(res.body.apiKey.id);
    expect(list.body).toHaveProperty("nextCursor");
    expectNoSecret(list, res.body.key);
  });

  it("the key authenticates scoped routes; a missing scope is 403 scope_missing", async () => {
    const token = await userToken();
    const { key } = (await createKey(token)).body;
    const me = await request(app).get("/api/me").set(bearer(key)).expect(200);
    expect(me.body).toMatchObject({ userId: "user_k", tokenType: "api_key", sessionId: null });
    await request(app).get("/api/reports").set(bearer(key)).expect(200);
    await request(app).get("/api/keys-only").set(bearer(key)).expect(200);
    const plain = (await createKey(token, { name: "no scopes" })).body.key;
    const res = await request(app).get("/api/reports").set(bearer(plain));
    expectProblem(res, 403, "scope_missing");
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer error="insufficient_scope", scope="reports:read"',
    );
    // The user's own session passes by default, and is refused where keys only are wanted.
    await request(app).get("/api/reports").set(bearer(token)).expect(200);
    expectProblem(
      await request(app).get("/api/keys-only").set(bearer(token)),
      403,
      "scope_missing",
    );
  });

  it("an API key may not manage keys (403 forbidden): a leaked key cannot mint more", async () => {
    const token = await userToken();
    const { key, apiKey } = (await createKey(token)).body;
    for (const call of [
      () => request(app).get("/api-keys"),
      () => request(app).post("/api-keys").send({ name: "more" }),
      () => request(app).delete(`/api-keys/${apiKey.id}`),
      () => request(app).post(`/api-keys/${apiKey.id}/rotate`),
    ]) {
      const res = await call().set(bearer(key));
      expectProblem(res, 403, "forbidden");
      expectNoSecret(res, key);
    }
    const list = await request(app).get("/api-keys").set(bearer(token));
    expect(list.body.apiKeys.filter((k: { status: string }) => k.status === "active")).toHaveLength(
      list.body.apiKeys.length,
    );
  });

  it("DELETE /:id revokes my key (204); the key is refused at once", async () => {
    const token = await userToken();
    const { key, apiKey } = (await createKey(token)).body;
    await request(app).get("/api/reports").set(bearer(key)).expect(200);
    const res = await request(app).delete(`/api-keys/${apiKey.id}`).set(bearer(token)).expect(204);
    expect(res.headers["cache-control"]).toBe("no-store");
    expectProblem(await request(app).get("/api/reports").set(bearer(key)), 401, "api_key_revoked");
  });

  it("POST /:id/rotate issues a replacement (201, no-store); the old key works through the overlap", async () => {
    const token = await userToken();
    const { key, apiKey } = (await createKey(token)).body;
    const res = await request(app)
      .post(`/api-keys/${apiKey.id}/rotate`)
      .set(bearer(token))
      .send({ overlapSec: 60 })
      .expect(201);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.key).not.toBe(key);
    expect(res.body.apiKey).toMatchObject({ rotatedFrom: apiKey.id, scopes: ["reports:read"] });
    await request(app).get("/api/reports").set(bearer(res.body.key)).expect(200);
    await request(app).get("/api/reports").set(bearer(key)).expect(200);
    // Without a body the service's default overlap applies.
    const again = await request(app)
      .post(`/api-keys/${res.body.apiKey.id}/rotate`)
      .set(bearer(token))
      .expect(201);
    expect(again.body.apiKey.rotatedFrom).toBe(res.body.apiKey.id);
  });

  it("another user's key id answers 404 not_found, like an unknown one, and is left alone", async () => {
    const alice = await userToken("user_alice");
    const bob = await userToken("user_bob");
    const { key, apiKey } = (await createKey(alice)).body;
    for (const res of [
      await request(app).delete(`/api-keys/${apiKey.id}`).set(bearer(bob)),
      await request(app).post(`/api-keys/${apiKey.id}/rotate`).set(bearer(bob)),
      await request(app).delete("/api-keys/key_unknown").set(bearer(bob)),
    ]) {
      expectProblem(res, 404, "not_found");
    }
    const bobs = await request(app).get("/api-keys").set(bearer(bob)).expect(200);
    expect(bobs.body.apiKeys).toEqual([]);
    await request(app).get("/api/reports").set(bearer(key)).expect(200);
  });

  it.each([
    ["another subject", { name: "x", subject: "user_admin" }, 400],
    ["createdBy", { name: "x", createdBy: "user_admin" }, 400],
    ["no name", { scopes: ["reports:read"] }, 400],
    ["a name that is not a string", { name: 42 }, 400],
    ["a scope outside allowedScopes", { name: "x", scopes: ["admin:all"] }, 400],
    ["scopes not an array", { name: "x", scopes: "reports:read" }, 400],
    ["a negative lifetime", { name: "x", expiresInSec: -1 }, 400],
    ["an unknown kind", { name: "x", kind: "root" }, 400],
  ])("POST / with %s answers input_invalid", async (_name, body, status) => {
    const token = await userToken();
    const res = await request(app).post("/api-keys").set(bearer(token)).send(body);
    expectProblem(res, status, "input_invalid");
  });

  it.each([
    ["malformed JSON", "application/json", '{"name":', 400],
    ["a text/plain body", "text/plain", '{"name":"x"}', 415],
    ["an oversized body", "application/json", JSON.stringify({ name: "x".repeat(20_000) }), 413],
  ])("POST / with %s answers input_invalid", async (_name, type, body, status) => {
    const token = await userToken();
    const res = await request(app)
      .post("/api-keys")
      .set(bearer(token))
      .set("content-type", type)
      .send(body);
    expectProblem(res, status, "input_invalid");
  });

  it("answers 401 as requireAuth() does when signed out, without reading the body", async () => {
    const res = await request(app).post("/api-keys").set("content-type", "text/plain").send("x");
    expectProblem(res, 401, "token_missing");
    expectProblem(await request(app).get("/api-keys"), 401, "token_missing");
  });

  it("refuses a rotate overlap that is not a non-negative integer", async () => {
    const token = await userToken();
    const { apiKey } = (await createKey(token)).body;
    expectProblem(
      await request(app)
        .post(`/api-keys/${apiKey.id}/rotate`)
        .set(bearer(token))
        .send({ overlapSec: "1h" }),
      400,
      "input_invalid",
    );
  });
});

describe("apiKeyRouter() start-up", () => {
  const { sessions } = service();

  it("is a named three-argument middleware", () => {
    const router = apiKeyRouter(sessions);
    expect(router.name).toBe("apiKeyRouter");
    expect(router.length).toBe(3);
  });

  it.each([
    [{ allowedScopes: ["Bad Scope"] }, /option "allowedScopes.0"/],
    [{ allowedScope: [] }, /allowedScope/],
  ])("refuses %j with config_invalid naming the option", (options, message) => {
    expect(() => apiKeyRouter(sessions, options as never)).toThrow(message);
  });
});
