// requireScope() with hand-made contexts (a stub verifier), on Express 5 and Express 4.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AuthContext,
  type RequestLike,
  type SessionClaims,
  signedIn,
  signedOut,
  type TokenType,
} from "@gatehouse/core";
import { authenticate, errorHandler, getAuth } from "@gatehouse/express";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { requireScope } from "../express.js";
import { expectProblem } from "./test-helpers.js";

function context(tokenType: TokenType, scopes: readonly string[] | null): AuthContext {
  return signedIn({
    userId: "user_1",
    sessionId: tokenType === "session_token" ? "sess_1" : null,
    sessionStatus: null,
    orgId: null,
    orgRole: null,
    orgSlug: null,
    orgPermissions: null,
    features: null,
    plans: null,
    factorVerificationAge: null,
    actor: null,
    tokenType,
    issuer: "https://app.example.test",
    claims: { iss: "https://app.example.test", sub: "user_1" } as unknown as SessionClaims,
    scopes,
  });
}

/** `x-as: session | jwt | key:<scopes, comma-separated> | out | expired`. */
const stub = {
  authenticate(req: RequestLike): Promise<AuthContext> {
    const as = (req.headers as Record<string, string | undefined>)["x-as"] ?? "out";
    if (as === "session") return Promise.resolve(context("session_token", null));
    if (as === "jwt") return Promise.resolve(context("jwt", null));
    if (as === "scoped-jwt") return Promise.resolve(context("jwt", ["reports:read", "x"]));
    if (as.startsWith("key:")) {
      const scopes = as.slice(4).split(",").filter(Boolean);
      return Promise.resolve(context("api_key", scopes));
    }
    if (as === "expired")
      return Promise.resolve(signedOut("token_expired", "The token has expired."));
    return Promise.resolve(signedOut());
  },
};

function ok(_req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 200;
  res.end("ok");
}

describe.each([
  ["express 5", express5],
  ["express 4", express4],
] as const)("requireScope() on %s", (_name, express) => {
  const app = express();
  app.use(authenticate(stub));
  app.get("/reports", requireScope("reports:read"), ok);
  app.get("/both", requireScope(["reports:read", "reports:write"]), ok);
  app.get("/keys-only", requireScope("reports:read", { sessions: "deny" }), ok);
  app.use(errorHandler());

  it("lets an API key holding every scope through", async () => {
    await request(app).get("/reports").set("x-as", "key:reports:read").expect(200, "ok");
    await request(app).get("/both").set("x-as", "key:reports:write,reports:read,x").expect(200);
  });

  it("refuses a key missing a scope: 403 scope_missing with an RFC 6750 insufficient_scope challenge", async () => {
    const res = await request(app).get("/both").set("x-as", "key:reports:read");
    expectProblem(res, 403, "scope_missing");
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer error="insufficient_scope", scope="reports:read reports:write"',
    );
    expect(res.body.detail).toBe("The credential lacks the scope reports:write.");
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("refuses a key with no scopes at all", async () => {
    expectProblem(await request(app).get("/reports").set("x-as", "key:"), 403, "scope_missing");
  });

  it("matches scopes exactly: a key's reports:* is not a wildcard", async () => {
    expectProblem(
      await request(app).get("/reports").set("x-as", "key:reports:*"),
      403,
      "scope_missing",
    );
  });

  it('lets a user\'s own session token through by default, and refuses it with sessions: "deny"', async () => {
    await request(app).get("/reports").set("x-as", "session").expect(200);
    const res = await request(app).get("/keys-only").set("x-as", "session");
    expectProblem(res, 403, "scope_missing");
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer error="insufficient_scope", scope="reports:read"',
    );
    await request(app).get("/keys-only").set("x-as", "key:reports:read").expect(200);
  });

  it("refuses an unscoped token of another kind, and checks a scoped one", async () => {
    expectProblem(await request(app).get("/reports").set("x-as", "jwt"), 403, "scope_missing");
    await request(app).get("/reports").set("x-as", "scoped-jwt").expect(200);
  });

  it("answers 401 like requireAuth() when signed out, not 403", async () => {
    const missing = await request(app).get("/reports");
    expectProblem(missing, 401, "token_missing");
    expect(missing.headers["www-authenticate"]).toBe("Bearer");
    const expired = await request(app).get("/reports").set("x-as", "expired");
    expectProblem(expired, 401, "token_expired");
    expect(expired.headers["www-authenticate"]).toContain('error="invalid_token"');
  });
});

describe("requireScope() start-up", () => {
  it("is a named three-argument middleware", () => {
    const mw = requireScope("a");
    expect(mw.name).toBe("requireScope");
    expect(mw.length).toBe(3);
  });

  it.each([
    [[], /scopes/],
    ["", /scopes/],
    ["two words", /scopes/],
    ['quote"d', /scopes/],
    [Array.from({ length: 51 }, (_, i) => `s${i}`), /scopes/],
  ])("refuses the scopes %j with config_invalid", (scopes, message) => {
    expect(() => requireScope(scopes as string[])).toThrow(message);
  });

  it("refuses an unknown option or sessions value", () => {
    expect(() => requireScope("a", { sessions: "maybe" as never })).toThrow(/option "sessions"/);
    expect(() => requireScope("a", { session: "deny" } as never)).toThrow(/session/);
  });

  it("hands a wiring bug (authenticate() not mounted) to next(err) as config_invalid", async () => {
    const app = express5();
    app.get("/r", requireScope("a"), ok);
    app.use(errorHandler());
    expectProblem(await request(app).get("/r"), 500, "config_invalid");
  });

  it("never reads anything but the context (no body, no cookies)", () => {
    const mw = requireScope("a");
    let passed = false;
    const req = { headers: {} } as IncomingMessage;
    (req as unknown as Record<symbol, unknown>)[Symbol.for("gatehouse.auth")] = context("api_key", [
      "a",
    ]);
    mw(req, {} as ServerResponse, (err) => {
      passed = err === undefined;
    });
    expect(passed).toBe(true);
    expect(getAuth(req).tokenType).toBe("api_key");
  });
});
