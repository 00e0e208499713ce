// The same protected API on Express 5, Express 4, Connect and bare node:http:
// authenticate() + requireAuth() + errorHandler() must behave identically.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import connect from "connect";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { authenticate, errorHandler, getAuth, requireAuth } from "./index.js";
import {
  echo,
  expiredToken,
  forgedToken,
  makeVerifier,
  nodeServer,
  validToken,
} from "./test-helpers.js";

const verifier = makeVerifier();
const handler = echo(getAuth);

type Target = RequestListener | ReturnType<typeof nodeServer>;

/** Each builder serves GET /me (guarded) and GET /whoami (open). */
const builders: Record<string, () => Target> = {
  "express 5": () => {
    const app = express5();
    app.use(authenticate(verifier));
    app.get("/me", requireAuth({ realm: "api" }), handler);
    app.get("/whoami", handler);
    app.use(errorHandler({ realm: "api" }));
    return app;
  },
  "express 4": () => {
    const app = express4();
    app.use(authenticate(verifier));
    app.get("/me", requireAuth({ realm: "api" }), handler);
    app.get("/whoami", handler);
    app.use(errorHandler({ realm: "api" }));
    return app;
  },
  connect: () => {
    const app = connect();
    app.use(authenticate(verifier));
    app.use("/me", requireAuth({ realm: "api" }));
    app.use("/me", handler);
    app.use("/whoami", handler);
    app.use(errorHandler({ realm: "api" }));
    return nodeServer(app);
  },
  "node:http": () => {
    // The middleware are plain (req, res, next) functions: chain them by hand.
    const auth = authenticate(verifier);
    const guard = requireAuth({ realm: "api" });
    const onError = errorHandler({ realm: "api" });
    const fail = (req: IncomingMessage, res: ServerResponse) => (err: unknown) =>
      onError(err, req, res, () => {
        res.statusCode = 500;
        res.end();
      });
    return nodeServer((req, res) => {
      auth(req, res, (err) => {
        if (err) return fail(req, res)(err);
        if (req.url === "/whoami") return handler(req, res);
        if (req.url !== "/me") {
          res.statusCode = 404;
          return res.end();
        }
        guard(req, res, (e) => (e ? fail(req, res)(e) : handler(req, res)));
      });
    });
  },
};

/** Asserts a 401 problem response that is neither a redirect nor an echo of `token`. */
function expect401(
  res: request.Response,
  code: string,
  challenge: (detail: string) => string,
  token?: string,
): void {
  expect(res.status).toBe(401);
  expect(res.headers.location).toBeUndefined();
  expect(res.headers["content-type"]).toBe("application/problem+json");
  expect(res.headers["cache-control"]).toBe("no-store");
  const body = JSON.parse(res.text);
  expect(body).toEqual({
    type: `https://gatehouse.dev/errors/${code}`,
    title: "Unauthorized",
    status: 401,
    detail: expect.any(String),
    code,
  });
  expect(Object.keys(body)).toEqual(["type", "title", "status", "detail", "code"]);
  expect(res.headers["www-authenticate"]).toBe(challenge(body.detail));
  expect(res.text).not.toMatch(/stack|at .*\(/);
  if (token !== undefined) {
    const signature = token.split(".")[2]!;
    for (const text of [res.text, JSON.stringify(res.headers)]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(signature);
    }
  }
}

const refused = (detail: string) =>
  `Bearer realm="api", error="invalid_token", error_description="${detail}"`;

describe.each(Object.keys(builders))("%s", (name) => {
  const app = builders[name]!();

  it("lets a valid token through and exposes the user via getAuth", async () => {
    const res = await request(app)
      .get("/me")
      .set("authorization", `Bearer ${await validToken("user_7")}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: "user_7", reason: null });
  });

  it("answers 401 without an error attribute when no token is sent (RFC 6750 §3.1)", async () => {
    const res = await request(app).get("/me");
    expect401(res, "token_missing", () => 'Bearer realm="api"');
    expect(res.body.detail).toBe("No credential was presented.");
  });

  it("treats a non-Bearer Authorization scheme as no credential", async () => {
    const res = await request(app).get("/me").set("authorization", "Basic dXNlcjpwYXNz");
    expect401(res, "token_missing", () => 'Bearer realm="api"');
  });

  it("answers 401 invalid_token for an expired token", async () => {
    const token = await expiredToken();
    const res = await request(app).get("/me").set("authorization", `Bearer ${token}`);
    expect401(res, "token_expired", refused, token);
  });

  it("answers 401 invalid_token for a forged token", async () => {
    const token = await forgedToken();
    const res = await request(app).get("/me").set("authorization", `Bearer ${token}`);
    expect401(res, "signature_invalid", refused, token);
  });

  it("answers 401 invalid_token for garbage", async () => {
    const token = "not-a-jwt";
    const res = await request(app).get("/me").set("authorization", `Bearer ${token}`);
    expect401(res, "token_malformed", refused, token);
  });

  it("never redirects, even for a browser asking for HTML", async () => {
    const res = await request(app).get("/me").set("accept", "text/html");
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });

  it("gives open routes a signed-out context with a reason", async () => {
    const none = await request(app).get("/whoami");
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ userId: null, reason: "token_missing" });
    const expired = await request(app)
      .get("/whoami")
      .set("authorization", `Bearer ${await expiredToken()}`);
    expect(expired.body).toEqual({ userId: null, reason: "token_expired" });
  });
});
