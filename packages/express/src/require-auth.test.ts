import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { isGatehouseError, signedIn, signedOut } from "@gatehouse/core";
import { describe, expect, it } from "vitest";
import { requireAuth } from "./index.js";

const AUTH = Symbol.for("gatehouse.auth");

function exchange(context?: unknown): {
  req: IncomingMessage;
  res: ServerResponse;
  body: string[];
} {
  const req = new IncomingMessage(new Socket());
  if (context !== undefined) (req as unknown as Record<symbol, unknown>)[AUTH] = context;
  const res = new ServerResponse(req);
  const body: string[] = [];
  res.end = ((chunk?: unknown) => {
    if (typeof chunk === "string") body.push(chunk);
    return res;
  }) as ServerResponse["end"];
  return { req, res, body };
}

describe("requireAuth()", () => {
  it("is a named middleware", () => {
    expect(requireAuth().name).toBe("requireAuth");
  });

  it("calls next() for a signed-in context, writing nothing", () => {
    const ctx = signedIn({
      userId: "user_1",
      sessionId: "sess_1",
      sessionStatus: "active",
      orgId: null,
      orgRole: null,
      orgSlug: null,
      orgPermissions: null,
      features: null,
      plans: null,
      factorVerificationAge: null,
      actor: null,
      tokenType: "session_token",
      issuer: "https://clerk.test.local",
      claims: { sub: "user_1", iss: "https://clerk.test.local", exp: 2, iat: 1 },
    });
    const { req, res } = exchange(ctx);
    const seen: unknown[][] = [];
    requireAuth()(req, res, (...args) => seen.push(args));
    expect(seen).toEqual([[]]);
    expect(res.headersSent).toBe(false);
    expect(res.getHeaderNames()).toEqual([]);
  });

  it("answers token_missing with a bare challenge when no realm is configured", () => {
    const { req, res, body } = exchange(signedOut());
    requireAuth()(req, res, () => {
      throw new Error("next must not be called");
    });
    expect(res.statusCode).toBe(401);
    expect(res.getHeader("www-authenticate")).toBe("Bearer");
    expect(res.getHeader("content-type")).toBe("application/problem+json");
    expect(res.getHeader("content-length")).toBe(String(Buffer.byteLength(body[0]!)));
    expect(JSON.parse(body[0]!)).toEqual({
      type: "https://gatehouse.dev/errors/token_missing",
      title: "Unauthorized",
      status: 401,
      detail: "No credential was presented.",
      code: "token_missing",
    });
  });

  it("answers a refused credential with error=invalid_token, also without a realm", () => {
    const { req, res } = exchange(signedOut("token_expired", "The token has expired."));
    requireAuth()(req, res, () => {});
    expect(res.getHeader("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="The token has expired."',
    );
  });

  it("answers each signed-out context with its own reason (no stale memo)", () => {
    const guard = requireAuth({ realm: "api" });
    const reasons = [
      signedOut(),
      signedOut("token_expired", "The token has expired."),
      signedOut(),
      signedOut("signature_invalid", "The token signature is invalid."),
    ];
    const codes = reasons.map((ctx) => {
      const { req, res, body } = exchange(ctx);
      guard(req, res, () => {});
      return [JSON.parse(body[0]!).code, res.getHeader("www-authenticate")];
    });
    expect(codes).toEqual([
      ["token_missing", 'Bearer realm="api"'],
      [
        "token_expired",
        'Bearer realm="api", error="invalid_token", error_description="The token has expired."',
      ],
      ["token_missing", 'Bearer realm="api"'],
      [
        "signature_invalid",
        'Bearer realm="api", error="invalid_token", error_description="The token signature is invalid."',
      ],
    ]);
  });

  it("keeps error_description a valid quoted-string whatever the message holds", () => {
    const { req, res } = exchange(signedOut("claim_invalid", 'Bad "sub"\\\r\nX-Injected: 1 é'));
    requireAuth()(req, res, () => {});
    expect(res.getHeader("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="Bad subX-Injected: 1 "',
    );
  });

  it("passes a config_invalid error to next() when authenticate() did not run", () => {
    const { req, res } = exchange();
    const seen: unknown[] = [];
    requireAuth()(req, res, (err) => seen.push(err));
    expect(seen).toHaveLength(1);
    expect(isGatehouseError(seen[0]) && seen[0].code).toBe("config_invalid");
    expect(res.headersSent).toBe(false);
    expect(res.statusCode).toBe(200);
  });

  it("refuses invalid options at start-up", () => {
    for (const options of [{ realm: 'x"y' }, { realm: 7 }, { realms: "api" }]) {
      expect(() => requireAuth(options as never)).toThrow(/^requireAuth\(\): /);
    }
  });
});
