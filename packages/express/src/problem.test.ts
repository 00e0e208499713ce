import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { ERROR_STATUS, GatehouseError, type GatehouseErrorCode } from "@gatehouse/core";
import { describe, expect, it } from "vitest";
import { problemDetails, sendProblem } from "./index.js";

function response(): { res: ServerResponse; body: string[] } {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  const body: string[] = [];
  res.end = ((chunk?: unknown) => {
    if (typeof chunk === "string") body.push(chunk);
    return res;
  }) as ServerResponse["end"];
  return { res, body };
}

describe("problemDetails()", () => {
  it("maps every core code to a stable type URI, its status and a title", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const p = problemDetails(new GatehouseError(code as GatehouseErrorCode, "msg"));
      expect(p).toEqual({
        type: `https://gatehouse.dev/errors/${code}`,
        title: expect.stringMatching(/^[A-Z][A-Za-z ]+$/),
        status,
        detail: "msg",
        code,
      });
    }
  });

  it("renders a status outside 400-599 as 500", () => {
    for (const status of [200, 302, 600, 401.5, Number.NaN]) {
      const p = problemDetails({ code: "forbidden", status, message: "x" });
      expect(p.status).toBe(500);
      expect(p.title).toBe("Internal Server Error");
    }
  });

  it("keeps an overridden status", () => {
    const err = new GatehouseError("forbidden", "Too many requests.", { status: 429 });
    expect(problemDetails(err)).toMatchObject({ status: 429, title: "Too Many Requests" });
  });
});

describe("sendProblem()", () => {
  it("writes status, headers and body with node:http primitives only", () => {
    const { res, body } = response();
    sendProblem(res, new GatehouseError("jwks_unavailable", "Keys unavailable."), {
      retryAfterSec: 5,
    });
    expect(res.statusCode).toBe(503);
    expect(res.getHeaders()).toEqual({
      "content-type": "application/problem+json",
      "content-length": String(Buffer.byteLength(body[0]!)),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "retry-after": "5",
    });
    expect(JSON.parse(body[0]!)).toMatchObject({ status: 503, code: "jwks_unavailable" });
  });

  it("counts content-length in bytes", () => {
    const { res, body } = response();
    sendProblem(res, new GatehouseError("forbidden", "Accès refusé ✋"));
    expect(res.getHeader("content-length")).toBe(String(Buffer.from(body[0]!).length));
  });

  it("adds the RFC 6750 challenge to a 401", () => {
    const { res } = response();
    sendProblem(res, new GatehouseError("token_missing", "No credential was presented."), {
      realm: "files",
    });
    expect(res.getHeader("www-authenticate")).toBe('Bearer realm="files"');
  });

  it("refuses invalid options", () => {
    const { res } = response();
    const err = new GatehouseError("forbidden", "x");
    expect(() => sendProblem(res, err, { realm: '"' })).toThrow(/^sendProblem\(\): /);
    expect(() => sendProblem(res, err, { retry: 1 } as never)).toThrow(/unknown option "retry"/);
  });
});
