/**
 * Test-only helpers of the Express adapter (not exported from the package):
 * the real service over memory stores on a fake clock, a real verifier, and
 * Express 5 / Express 4 apps mounting every piece.
 *
 * @packageDocumentation
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { createVerifier, type Verifier } from "@gatehouse/core";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { authenticate, errorHandler, getAuth } from "@gatehouse/express";
import { createFakeClock } from "@gatehouse/testing";
import express5, { type Express } from "express";
import express4 from "express4";
import type request from "supertest";
import { expect } from "vitest";
import {
  apiKeyRouter,
  jwksHandler,
  requireScope,
  type SessionTransportOptions,
  sessionResponse,
  sessionRouter,
  startSession,
  trackActivity,
} from "../express.js";
import { createSessions } from "../sessions.js";
import type { Sessions } from "../types.js";

export const ISSUER = "https://app.example.test";
export const ORIGIN = "https://app.example.test";
export const SECRET = "express-test-secret-express-test-secret-0123";
export const CHROME =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** The real service on memory stores and a frozen clock, with the verifier an app would build. */
export function service(cookieName = "__Host-gh_access") {
  const clock = createFakeClock();
  const sessions = createSessions({
    records: createMemoryRecordStore({ clock }),
    kv: createMemoryKeyValueStore({ clock }),
    issuer: ISSUER,
    secret: SECRET,
    clock,
    authorizedParties: [ORIGIN],
    accessToken: { algorithm: "ES256" },
  });
  const verifier = createVerifier({
    issuers: [sessions.issuer(), sessions.apiKeyIssuer()],
    clock,
    cookieName,
  });
  return { sessions, verifier, clock };
}

export type Framework = "express 5" | "express 4";
export const FRAMEWORKS: readonly Framework[] = ["express 5", "express 4"];

/** A handler using only node:http, so it runs under every framework. */
export function whoami(req: IncomingMessage, res: ServerResponse): void {
  const auth = getAuth(req);
  res.statusCode = 200;
  res.setHeader("content-type", "application/json");
  res.end(
    JSON.stringify({ userId: auth.userId, sessionId: auth.sessionId, tokenType: auth.tokenType }),
  );
}

/**
 * An app as a host writes it: `authenticate()`, a sign-in route calling
 * `startSession()` (`POST /sign-in { userId }`), the session router under
 * `/auth`, API keys under `/api-keys`, the JWKS, a scoped route and
 * `errorHandler()`. `jsonParser` mounts `express.json()` app-wide first.
 */
export function buildApp(
  framework: Framework,
  sessions: Sessions,
  verifier: Verifier,
  transport: SessionTransportOptions = {},
  { jsonParser = false }: { jsonParser?: boolean } = {},
): Express {
  const express = framework === "express 5" ? express5 : express4;
  const app = express();
  if (jsonParser) app.use(express.json());
  app.use(authenticate(verifier), trackActivity(sessions));
  app.post("/sign-in", express.json(), (req, res, next) => {
    const userId = String(req.body?.userId ?? "user_1");
    startSession(sessions, req, res, { userId, authMethod: "password" }, transport).then(
      (issued) => {
        res.status(201).json(sessionResponse(issued, transport));
      },
      next,
    );
  });
  app.use("/auth", sessionRouter(sessions, transport));
  app.use(
    "/api-keys",
    apiKeyRouter(sessions, { allowedScopes: ["reports:read", "reports:write"] }),
  );
  app.get("/.well-known/jwks.json", jwksHandler(sessions));
  app.get("/api/me", whoami);
  app.get("/api/reports", requireScope("reports:read"), whoami);
  app.get("/api/keys-only", requireScope("reports:read", { sessions: "deny" }), whoami);
  app.use(errorHandler());
  return app;
}

/** The `Set-Cookie` values of a response, by cookie name. */
export function setCookies(res: request.Response): Map<string, string> {
  const raw = res.headers["set-cookie"] as unknown as string[] | string | undefined;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((c) => [c.slice(0, c.indexOf("=")), c]));
}

/** The value of a `Set-Cookie` line. */
export function cookieValue(setCookie: string | undefined): string {
  expect(setCookie).toBeDefined();
  return setCookie!.slice(setCookie!.indexOf("=") + 1, setCookie!.indexOf(";"));
}

/** A `Cookie` header from name/value pairs. */
export function cookieHeader(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
}

/** Asserts an RFC 9457 problem with `code` and `status`. */
export function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
}

/** Asserts no response part contains a secret. */
export function expectNoSecret(res: request.Response, ...secrets: string[]): void {
  const text = `${res.text}\n${JSON.stringify(res.headers)}`;
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/**
 * Sends a request body in chunks with `Transfer-Encoding: chunked` (no
 * `Content-Length`), which supertest cannot do, and resolves the status and body.
 */
export async function sendChunked(
  listener: RequestListener,
  path: string,
  headers: Record<string, string>,
  chunks: readonly string[],
): Promise<{ status: number; body: string }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
