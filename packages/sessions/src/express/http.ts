/**
 * What the Express adapter's pieces share: JSON answers written with
 * `statusCode`, `setHeader` and `end()` only (Express 4 and 5, Connect,
 * `node:http`), request facts, the path relative to the mount point, and the
 * "signed-in with a session token" check. Internal: nothing here is exported
 * from the package.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SignedInAuthContext } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { getAuth, type Middleware, type NextFunction } from "@gatehouse/express";
import type { RequestFacts } from "../types.js";

/** Writes a JSON answer. Every answer of the routers is personal: `no-store` unless told. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  cacheControl = "no-store",
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", String(Buffer.byteLength(text)));
  res.setHeader("cache-control", cacheControl);
  res.setHeader("x-content-type-options", "nosniff");
  res.end(text);
}

/** Answers 204 No Content (no-store). */
export function sendNoContent(res: ServerResponse): void {
  res.statusCode = 204;
  res.setHeader("cache-control", "no-store");
  res.end();
}

/** A request header as one string (the first value of a repeated header), or undefined. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The client IP: Express's `req.ip` (honours `trust proxy`), else the socket's peer address. */
export function clientIp(req: IncomingMessage): string | null {
  const ip = (req as { ip?: unknown }).ip;
  if (typeof ip === "string" && ip.length > 0) return ip;
  return req.socket?.remoteAddress ?? null;
}

/** The request facts a session records: IP and `User-Agent` (bounded). */
export function requestFacts(req: IncomingMessage): RequestFacts {
  const userAgent = header(req, "user-agent");
  return {
    ip: clientIp(req),
    userAgent: userAgent === undefined || userAgent === "" ? null : userAgent.slice(0, 512),
  };
}

/** The path of `req.url` (relative to the mount point under Express and Connect), without query, one trailing slash removed. */
export function relativePath(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  let path = q === -1 ? url : url.slice(0, q);
  if (path === "") path = "/";
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

/** The query string of `req.url`. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? "";
  const q = url.indexOf("?");
  return new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
}

/** An id taken from the path: percent-decoded, printable, bounded; otherwise undefined. */
export function pathId(segment: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return /^[\x21-\x7E]{1,255}$/.test(id) ? id : undefined;
}

/** The 403 for a credential that may not manage sessions or keys. */
export function forbidden(message: string): GatehouseError {
  return new GatehouseError("forbidden", message);
}

/** The 404 for a resource that is not there or not the caller's (the two are not told apart). */
export function notFound(what: string): GatehouseError {
  return new GatehouseError("not_found", `${what} was not found.`);
}

/**
 * Runs `then` with the caller's signed-in context when it came from a user's
 * session token. Signed out → `signedOut` answers (requireAuth's 401); an API
 * key or a foreign JWT → 403 `forbidden`; `authenticate()` not mounted →
 * `next(config_invalid)`.
 */
export function withSessionAuth(
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
  signedOut: Middleware,
  accept: (auth: SignedInAuthContext) => string | null,
  then: (auth: SignedInAuthContext) => void,
): void {
  let auth: ReturnType<typeof getAuth>;
  try {
    auth = getAuth(req);
  } catch (err) {
    next(err);
    return;
  }
  if (!auth.isSignedIn) {
    signedOut(req, res, next);
    return;
  }
  const refusal = accept(auth);
  if (refusal !== null) {
    next(forbidden(refusal));
    return;
  }
  then(auth);
}
