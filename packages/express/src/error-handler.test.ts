import type { IncomingMessage, ServerResponse } from "node:http";
import { createVerifier, GatehouseError, isGatehouseError, jwks } from "@gatehouse/core";
import { generateTestKeys, mintToken } from "@gatehouse/testing";
import connect from "connect";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authenticate, errorHandler, requireAuth } from "./index.js";
import { clock, nodeServer, rejectingVerifier, validToken } from "./test-helpers.js";

const express = { "express 5": express5, "express 4": express4 };

const unavailable = () =>
  new GatehouseError("jwks_unavailable", "The issuer's signing keys could not be fetched.", {
    cause: new Error("connect ECONNREFUSED 10.0.0.1:443 secret-internal-host"),
  });

/** A final error handler that records what reached it. */
function sink(err: unknown, _req: IncomingMessage, res: ServerResponse, _next: unknown): void {
  res.statusCode = 599;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ sink: err instanceof Error ? err.message : String(err) }));
}

describe.each(Object.keys(express) as (keyof typeof express)[])("errorHandler() on %s", (name) => {
  const createApp = express[name];

  it("renders jwks_unavailable as 503 problem+json with Retry-After", async () => {
    const app = createApp();
    app.use(authenticate(rejectingVerifier(unavailable())));
    app.get("/me", requireAuth(), (_req, res) => {
      res.end("unreachable");
    });
    app.use(errorHandler());
    const res = await request(app).get("/me").set("authorization", "Bearer a.b.c");
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("30");
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["www-authenticate"]).toBeUndefined();
    expect(res.body).toEqual({
      type: "https://gatehouse.dev/errors/jwks_unavailable",
      title: "Service Unavailable",
      status: 503,
      detail: "The issuer's signing keys could not be fetched.",
      code: "jwks_unavailable",
    });
    expect(res.text).not.toContain("secret-internal-host");
    expect(res.text).not.toContain("a.b.c");
  });

  it("renders a real verifier's JWKS outage as 503 with the configured Retry-After", async () => {
    const keys = generateTestKeys();
    const issuer = "https://issuer.example";
    const verifier = createVerifier({
      clock,
      issuers: [
        jwks({
          issuer,
          jwksUri: "https://issuer.example/.well-known/jwks.json",
          jwksCache: { fetch: () => Promise.reject(new TypeError("fetch failed")) },
        }),
      ],
    });
    const token = await mintToken(keys, { iss: issuer, sub: "u1" }, { clock });
    const app = createApp();
    app.use(authenticate(verifier));
    app.get("/", (_req, res) => {
      res.end("unreachable");
    });
    app.use(errorHandler({ retryAfterSec: 120 }));
    const res = await request(app).get("/").set("authorization", `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("120");
    expect(res.body.code).toBe("jwks_unavailable");
  });

  it("passes unknown errors through untouched", async () => {
    const app = createApp();
    app.get("/", () => {
      throw new Error("database is down");
    });
    app.use(errorHandler());
    app.use(sink);
    const res = await request(app).get("/");
    expect(res.status).toBe(599);
    expect(res.body).toEqual({ sink: "database is down" });
  });

  it("passes http-errors-style objects with a status through (they are not ours)", async () => {
    const app = createApp();
    app.get("/", (_req, _res, next) => {
      next(Object.assign(new Error("Not Found"), { status: 404, code: "token_missing" }));
    });
    app.use(errorHandler());
    app.use(sink);
    const res = await request(app).get("/");
    expect(res.status).toBe(599);
  });

  it("renders a 401 GatehouseError with the RFC 6750 challenge and realm", async () => {
    const app = createApp();
    app.get("/", (_req, _res, next) => {
      next(new GatehouseError("token_expired", "The token has expired."));
    });
    app.use(errorHandler({ realm: "api" }));
    const res = await request(app).get("/");
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The token has expired."',
    );
  });

  it("renders 403 forbidden without a challenge and drops content headers set earlier", async () => {
    const app = createApp();
    app.get("/", (_req, res, next) => {
      res.setHeader("content-encoding", "gzip");
      res.setHeader("content-language", "fr");
      next(new GatehouseError("forbidden", "You lack the permission org:invoices:read."));
    });
    app.use(errorHandler());
    const res = await request(app).get("/");
    expect(res.status).toBe(403);
    expect(res.headers["www-authenticate"]).toBeUndefined();
    expect(res.headers["content-encoding"]).toBeUndefined();
    expect(res.headers["content-language"]).toBeUndefined();
    expect(res.body).toMatchObject({ title: "Forbidden", status: 403, code: "forbidden" });
  });

  it("renders errors of another copy of @gatehouse/core (brand, not instanceof)", async () => {
    const foreign = Object.assign(new Error("The token signature is invalid."), {
      name: "GatehouseError",
      code: "signature_invalid",
      status: 401,
    });
    Object.defineProperty(foreign, Symbol.for("gatehouse.error"), { value: true });
    const app = createApp();
    app.get("/", (_req, _res, next) => next(foreign));
    app.use(errorHandler());
    const res = await request(app).get("/");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("signature_invalid");
  });

  it("turns requireAuth() without authenticate() into a 500 config error, not a 401", async () => {
    const app = createApp();
    app.get("/", requireAuth(), (_req, res) => {
      res.end("unreachable");
    });
    app.use(errorHandler());
    const res = await request(app)
      .get("/")
      .set("authorization", `Bearer ${await validToken()}`);
    expect(res.status).toBe(500);
    expect(res.headers["www-authenticate"]).toBeUndefined();
    expect(res.body).toEqual({
      type: "https://gatehouse.dev/errors/config_invalid",
      title: "Internal Server Error",
      status: 500,
      detail:
        "requireAuth() called on a request that authenticate() did not see: mount authenticate(verifier) first",
      code: "config_invalid",
    });
  });

  it("fails requireAuth() without authenticate() loudly even with no errorHandler", async () => {
    const app = createApp();
    app.set("env", "test"); // keeps Express's own handler from logging the stack
    app.get("/", requireAuth(), (_req, res) => {
      res.end("unreachable");
    });
    const res = await request(app).get("/");
    expect(res.status).toBe(500);
    expect(res.headers["www-authenticate"]).toBeUndefined();
  });
});

describe("errorHandler() under connect", () => {
  it("renders Gatehouse errors and passes others on", async () => {
    const app = connect();
    app.use(authenticate(rejectingVerifier(unavailable())));
    app.use(errorHandler());
    const res = await request(nodeServer(app)).get("/");
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("30");

    const other = connect();
    other.use(authenticate(rejectingVerifier(new Error("boom"))));
    other.use(errorHandler());
    other.use(sink);
    const res2 = await request(nodeServer(other)).get("/");
    expect(res2.status).toBe(599);
    expect(res2.body).toEqual({ sink: "boom" });
  });
});

describe("errorHandler() contract", () => {
  it("is a named four-argument error middleware", () => {
    const handler = errorHandler();
    expect(handler.name).toBe("gatehouseErrorHandler");
    expect(handler.length).toBe(4);
  });

  it("defers to next(err) when headers are already sent", () => {
    const err = new GatehouseError("token_expired", "The token has expired.");
    const res = { headersSent: true } as ServerResponse;
    const seen: unknown[] = [];
    errorHandler()(err, {} as IncomingMessage, res, (e) => seen.push(e));
    expect(seen).toEqual([err]);
  });

  it("refuses invalid options at start-up", () => {
    const bad = [
      { realm: 'a"b' },
      { realm: "a\\b" },
      { realm: "" },
      { realm: "line\nbreak" },
      { retryAfterSec: -1 },
      { retryAfterSec: 1.5 },
      { retryAfterSec: "30" },
      { exposeUnknownErrors: true },
    ];
    for (const options of bad) {
      let thrown: unknown;
      try {
        errorHandler(options as never);
      } catch (err) {
        thrown = err;
      }
      expect(isGatehouseError(thrown) && thrown.code).toBe("config_invalid");
      expect((thrown as Error).message).toMatch(/^errorHandler\(\): /);
    }
  });
});
