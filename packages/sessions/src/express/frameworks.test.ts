// The same pieces under plain Connect and a bare node:http server: nothing needs Express.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { authenticate, errorHandler, type Middleware } from "@gatehouse/express";
import connect from "connect";
import request from "supertest";
import { describe, expect, it } from "vitest";
import {
  apiKeyRouter,
  csrfProtection,
  jwksHandler,
  requireScope,
  type SessionTransportOptions,
  sessionResponse,
  sessionRouter,
  startSession,
  trackActivity,
} from "../express.js";
import type { Sessions } from "../types.js";
import {
  cookieHeader,
  cookieValue,
  expectProblem,
  service,
  setCookies,
  whoami,
} from "./test-helpers.js";

/** A sign-in route written against node:http only (reads `?user=`). */
function signInRoute(sessions: Sessions, transport: SessionTransportOptions): Middleware {
  return (req, res, next) => {
    const userId = new URL(req.url ?? "/", "http://x").searchParams.get("user") ?? "user_1";
    startSession(sessions, req, res, { userId }, transport).then((issued) => {
      const body = JSON.stringify(sessionResponse(issued, transport));
      res.statusCode = 201;
      res.setHeader("content-type", "application/json");
      res.end(body);
    }, next);
  };
}

function connectApp(transport: SessionTransportOptions) {
  const { sessions, verifier } = service();
  const app = connect();
  app.use(authenticate(verifier));
  app.use(trackActivity(sessions));
  app.use("/sign-in", signInRoute(sessions, transport));
  app.use("/auth", sessionRouter(sessions, transport));
  app.use("/api-keys", csrfProtection());
  app.use("/api-keys", apiKeyRouter(sessions));
  app.use("/api/reports", requireScope("reports:read"));
  app.use("/api/reports", whoami);
  app.use("/.well-known/jwks.json", jwksHandler(sessions));
  app.use(errorHandler());
  return createServer(app);
}

/** A bare server: every piece chained by hand; the session router is mounted at the root. */
function nodeApp(transport: SessionTransportOptions) {
  const { sessions, verifier } = service();
  const auth = authenticate(verifier);
  const router = sessionRouter(sessions, transport);
  const keys = apiKeyRouter(sessions);
  const scoped = requireScope("reports:read");
  const signIn = signInRoute(sessions, transport);
  const onError = errorHandler();
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const fail = (err: unknown) =>
      onError(err, req, res, () => {
        res.statusCode = 500;
        res.end();
      });
    const notFound = () => {
      res.statusCode = 404;
      res.end();
    };
    auth(req, res, (err) => {
      if (err) return fail(err);
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/sign-in") return signIn(req, res, (e) => (e ? fail(e) : notFound()));
      if (path === "/api/reports") {
        return scoped(req, res, (e) => (e ? fail(e) : whoami(req, res)));
      }
      if (path?.startsWith("/keys")) {
        req.url = req.url!.slice("/keys".length) || "/";
        return keys(req, res, (e) => (e ? fail(e) : notFound()));
      }
      router(req, res, (e) => (e ? fail(e) : notFound()));
    });
  });
}

describe("under connect", () => {
  it("signs in, refreshes, lists sessions and signs out (bearer)", async () => {
    const app = connectApp({});
    const { body } = await request(app).post("/sign-in?user=user_c").expect(201);
    const refreshed = await request(app)
      .post("/auth/refresh")
      .send({ refreshToken: body.refreshToken })
      .expect(200);
    const token = refreshed.body.accessToken;
    const list = await request(app)
      .get("/auth/sessions")
      .set("authorization", `Bearer ${token}`)
      .expect(200);
    expect(list.body.sessions).toHaveLength(1);
    expect(list.body.sessions[0].current).toBe(true);
    await request(app).post("/auth/sign-out").set("authorization", `Bearer ${token}`).expect(204);
    expectProblem(
      await request(app).get("/auth/sessions").set("authorization", `Bearer ${token}`),
      401,
      "session_revoked",
    );
  });

  it("creates an API key, uses it on a scoped route, and serves the JWKS", async () => {
    const app = connectApp({});
    const { body } = await request(app).post("/sign-in").expect(201);
    const created = await request(app)
      .post("/api-keys")
      .set("authorization", `Bearer ${body.accessToken}`)
      .send({ name: "ci", scopes: ["reports:read"] })
      .expect(201);
    await request(app)
      .get("/api/reports")
      .set("authorization", `Bearer ${created.body.key}`)
      .expect(200);
    const unscoped = await request(app)
      .post("/api-keys")
      .set("authorization", `Bearer ${body.accessToken}`)
      .send({ name: "none" })
      .expect(201);
    expectProblem(
      await request(app).get("/api/reports").set("authorization", `Bearer ${unscoped.body.key}`),
      403,
      "scope_missing",
    );
    const jwks = await request(app).get("/.well-known/jwks.json").expect(200);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
  });

  it("runs cookie mode with CSRF protection", async () => {
    const app = connectApp({ transport: "cookie" });
    const signedIn = await request(app).post("/sign-in").expect(201);
    const refresh = cookieValue(setCookies(signedIn).get("__Host-gh_refresh"));
    const jar = cookieHeader({ "__Host-gh_refresh": refresh });
    expectProblem(
      await request(app)
        .post("/auth/refresh")
        .set("cookie", jar)
        .set("sec-fetch-site", "cross-site"),
      403,
      "csrf_rejected",
    );
    const res = await request(app)
      .post("/auth/refresh")
      .set("cookie", jar)
      .set("sec-fetch-site", "same-origin")
      .expect(200);
    expect(setCookies(res).has("__Host-gh_access")).toBe(true);
  });
});

describe("under node:http", () => {
  it("signs in, refreshes, lists sessions, refuses a reused refresh token", async () => {
    const app = nodeApp({});
    const { body } = await request(app).post("/sign-in").expect(201);
    const refreshed = await request(app)
      .post("/refresh")
      .send({ refreshToken: body.refreshToken })
      .expect(200);
    await request(app)
      .get("/sessions")
      .set("authorization", `Bearer ${refreshed.body.accessToken}`)
      .expect(200);
    expectProblem(
      await request(app).post("/refresh").set("content-type", "text/plain").send("x"),
      415,
      "input_invalid",
    );
    expectProblem(await request(app).get("/sessions"), 401, "token_missing");
    expect((await request(app).get("/elsewhere")).status).toBe(404);
  });

  it("manages API keys and guards a scoped route", async () => {
    const app = nodeApp({});
    const { body } = await request(app).post("/sign-in").expect(201);
    const created = await request(app)
      .post("/keys")
      .set("authorization", `Bearer ${body.accessToken}`)
      .send({ name: "ci", scopes: ["reports:read"] })
      .expect(201);
    await request(app)
      .get("/api/reports")
      .set("authorization", `Bearer ${created.body.key}`)
      .expect(200);
    await request(app)
      .delete(`/keys/${created.body.apiKey.id}`)
      .set("authorization", `Bearer ${body.accessToken}`)
      .expect(204);
    expectProblem(
      await request(app).get("/api/reports").set("authorization", `Bearer ${created.body.key}`),
      401,
      "api_key_revoked",
    );
  });

  it("runs cookie mode: cookies set, sign-out clears them", async () => {
    const app = nodeApp({ transport: "cookie" });
    const signedIn = await request(app).post("/sign-in").expect(201);
    const c = setCookies(signedIn);
    const jar = cookieHeader({
      "__Host-gh_access": cookieValue(c.get("__Host-gh_access")),
      "__Host-gh_refresh": cookieValue(c.get("__Host-gh_refresh")),
    });
    const out = await request(app).post("/sign-out").set("cookie", jar).expect(204);
    expect(setCookies(out).get("__Host-gh_access")).toMatch(/^__Host-gh_access=; Max-Age=0;/);
  });
});
