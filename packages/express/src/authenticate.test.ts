import type { IncomingMessage, ServerResponse } from "node:http";
import { type AuthContext, isGatehouseError, signedOut } from "@gatehouse/core";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authenticate, errorHandler, getAuth } from "./index.js";
import { makeVerifier, spyVerifier, validToken } from "./test-helpers.js";

const express = { "express 5": express5, "express 4": express4 };

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isGatehouseError(err)).toBe(true);
    if (isGatehouseError(err)) {
      expect(err.code).toBe("config_invalid");
      expect(err.status).toBe(500);
      return err.message;
    }
  }
  throw new Error("expected a config_invalid error");
}

const fakeReq = (headers: Record<string, string> = {}) => ({ headers }) as IncomingMessage;
const fakeRes = {} as ServerResponse;

describe.each(Object.keys(express) as (keyof typeof express)[])("authenticate() on %s", (name) => {
  const createApp = express[name];

  it("verifies once when mounted twice (idempotent)", async () => {
    const real = makeVerifier();
    const spy = spyVerifier((req) => real.authenticate(req));
    const app = createApp();
    app.use(authenticate(spy));
    const router = createApp.Router();
    router.use(authenticate(spy));
    router.get("/me", (req, res) => {
      res.json({ userId: getAuth(req).userId });
    });
    app.use("/api", router);
    const res = await request(app)
      .get("/api/me")
      .set("authorization", `Bearer ${await validToken("user_once")}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: "user_once" });
    expect(spy.calls).toBe(1);
  });

  it("does not set req.auth by default (no collision with express-jwt / Passport)", async () => {
    const app = createApp();
    app.use(authenticate(makeVerifier()));
    app.get("/", (req, res) => {
      res.json({
        hasAuth: "auth" in req,
        hasUser: "user" in req,
        stringKeys: Object.keys(req).filter((k) => /auth|gatehouse/i.test(k)),
        symbol: Object.getOwnPropertySymbols(req)
          .map(String)
          .filter((s) => s.includes("gatehouse")),
      });
    });
    const res = await request(app).get("/");
    expect(res.body).toEqual({
      hasAuth: false,
      hasUser: false,
      stringKeys: [],
      symbol: ["Symbol(gatehouse.auth)"],
    });
  });

  it("sets req[assignTo] when opted in", async () => {
    const app = createApp();
    app.use(authenticate(makeVerifier(), { assignTo: "auth" }));
    app.get("/", (req, res) => {
      const assigned = (req as unknown as { auth: AuthContext }).auth;
      res.json({ same: assigned === getAuth(req), userId: assigned.userId });
    });
    const res = await request(app)
      .get("/")
      .set("authorization", `Bearer ${await validToken("user_assigned")}`);
    expect(res.body).toEqual({ same: true, userId: "user_assigned" });
  });

  it("leaves a foreign req.auth (express-jwt style) alone", async () => {
    const app = createApp();
    app.use((req, _res, next) => {
      (req as unknown as { auth: unknown }).auth = { sub: "from-express-jwt" };
      next();
    });
    app.use(authenticate(makeVerifier()));
    app.get("/", (req, res) => {
      res.json({ auth: (req as unknown as { auth: unknown }).auth, ours: getAuth(req).reason });
    });
    const res = await request(app).get("/");
    expect(res.body).toEqual({ auth: { sub: "from-express-jwt" }, ours: "token_missing" });
  });

  it("forwards a verifier rejection to next(err) (Express 4 does not catch promises)", async () => {
    const app = createApp();
    app.use(authenticate(spyVerifier(() => Promise.reject(new Error("boom")))));
    app.get("/", (_req, res) => {
      res.end("unreachable");
    });
    app.use(errorHandler());
    app.use(
      (
        err: Error,
        _req: express5.Request,
        res: express5.Response,
        _next: express5.NextFunction,
      ) => {
        res.status(599).json({ seen: err.message });
      },
    );
    const res = await request(app).get("/");
    expect(res.status).toBe(599);
    expect(res.body).toEqual({ seen: "boom" });
  });
});

describe("authenticate() without a framework", () => {
  it("stores the context under Symbol.for('gatehouse.auth') and calls next() once", async () => {
    const out = signedOut("token_expired", "The token has expired.");
    const mw = authenticate(spyVerifier(() => Promise.resolve(out)));
    const req = fakeReq();
    const calls = await new Promise<unknown[]>((resolve) => {
      mw(req, fakeRes, (...args) => resolve(args));
    });
    expect(calls).toEqual([]);
    expect((req as unknown as Record<symbol, unknown>)[Symbol.for("gatehouse.auth")]).toBe(out);
    expect(getAuth(req)).toBe(out);
  });

  it("is a named function", () => {
    expect(authenticate(makeVerifier()).name).toBe("authenticate");
    expect(authenticate(makeVerifier(), { assignTo: "auth" }).name).toBe("authenticate");
  });

  it("assigns an already stored context when a later instance opts in to assignTo", async () => {
    const spy = spyVerifier(() => Promise.resolve(signedOut()));
    const req = fakeReq();
    await new Promise<void>((r) => authenticate(spy)(req, fakeRes, () => r()));
    await new Promise<void>((r) =>
      authenticate(spy, { assignTo: "auth" })(req, fakeRes, () => r()),
    );
    expect(spy.calls).toBe(1);
    expect((req as unknown as { auth: unknown }).auth).toBe(getAuth(req));
  });

  it("continues synchronously when the context is already there", () => {
    const spy = spyVerifier(() => Promise.resolve(signedOut()));
    const req = fakeReq();
    (req as unknown as Record<symbol, unknown>)[Symbol.for("gatehouse.auth")] = signedOut();
    let called = false;
    authenticate(spy)(req, fakeRes, () => {
      called = true;
    });
    expect(called).toBe(true);
    expect(spy.calls).toBe(0);
  });

  it("continues synchronously on a verified-token cache hit, without verifying again", async () => {
    const verifier = makeVerifier();
    const token = await validToken();
    const req = fakeReq({ authorization: `Bearer ${token}` });
    const verified = await verifier.authenticate(req);
    const spy = {
      authenticate: verifier.authenticate,
      authenticateSync: verifier.authenticateSync,
      calls: 0,
    };
    spy.authenticate = (r) => {
      spy.calls++;
      return verifier.authenticate(r);
    };
    let called = false;
    authenticate(spy)(req, fakeRes, () => {
      called = true;
    });
    expect(called).toBe(true);
    expect(spy.calls).toBe(0);
    expect(getAuth(req)).toBe(verified);
  });

  it("refuses a missing verifier and bad options at start-up", () => {
    expect(configError(() => authenticate(undefined as never))).toMatch(/^authenticate\(\): /);
    expect(configError(() => authenticate({} as never))).toMatch(/createVerifier/);
    const v = makeVerifier();
    expect(configError(() => authenticate(v, "auth" as never))).toMatch(
      /options must be an object/,
    );
    expect(configError(() => authenticate(v, { asignTo: "auth" } as never))).toMatch(
      /unknown option "asignTo"/,
    );
    for (const bad of ["", "a-b", "1x", "x".repeat(65), 42, null]) {
      expect(configError(() => authenticate(v, { assignTo: bad as never }))).toMatch(
        /option "assignTo" must be a JavaScript identifier/,
      );
    }
    for (const taken of ["__proto__", "constructor", "headers", "url", "body", "on", "socket"]) {
      expect(configError(() => authenticate(v, { assignTo: taken }))).toMatch(
        `option "assignTo" may not be "${taken}"`,
      );
    }
  });
});
