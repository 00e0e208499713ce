import type { IncomingMessage, ServerResponse } from "node:http";
import { parseOptions } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import type { NextFunction } from "@gatehouse/express";
import { z } from "zod";
import type { AuditActor } from "../event.js";
import type { AuditLog } from "../types.js";
import { outcomeOf, pathOf, requestEvent } from "./request-event.js";

/** Options of {@link auditRequests}. */
export interface AuditRequestsOptions<Req extends IncomingMessage = IncomingMessage> {
  /**
   * Decides, once the response is sent, whether to record a request.
   * @default undefined (every request not skipped)
   */
  filter?: (req: Req, res: ServerResponse) => boolean;
  /**
   * The share of *successful* requests recorded, from 0 to 1. Denied and
   * failed requests are always recorded.
   * @default 1
   */
  sampleRate?: number;
  /**
   * Paths never recorded: a string skips that path and everything under it
   * (`"/health"` skips `/health` and `/health/live`), a RegExp the paths it
   * matches. Matched against the path without its query string.
   * @default []
   */
  skipPaths?: readonly (string | RegExp)[];
  /**
   * The actor of a request, when `getAuth(req)` is not how your app knows
   * its callers. Return `null` or `undefined` to fall back to `getAuth(req)`.
   * @default undefined (from `authenticate()`: a user, an API key, or signed out)
   */
  actorFrom?: (req: Req) => AuditActor | null | undefined;
}

const FACTORY = "auditRequests()";
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", {
  message: "must be a function",
});
const schema = z.strictObject({
  filter: fn.optional(),
  sampleRate: z.number().min(0).max(1).optional(),
  skipPaths: z
    .array(z.union([z.string().startsWith("/").max(512), z.instanceof(RegExp)]))
    .max(1000)
    .optional(),
  actorFrom: fn.optional(),
});

/** Compiles `skipPaths` into a predicate on the raw path. */
function skipper(paths: readonly (string | RegExp)[]): (path: string) => boolean {
  if (paths.length === 0) return () => false;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const patterns: RegExp[] = [];
  for (const p of paths) {
    if (p instanceof RegExp) patterns.push(new RegExp(p.source, p.flags.replace(/[gy]/g, "")));
    else {
      const base = p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
      exact.add(base);
      prefixes.push(base === "/" ? "/" : `${base}/`);
    }
  }
  return (path) =>
    exact.has(path) ||
    prefixes.some((p) => path.startsWith(p)) ||
    patterns.some((r) => r.test(path));
}

/** Reports the first failure to record as a process warning, later ones silently. */
function warner(): (err: unknown) => void {
  let warned = false;
  return (err) => {
    if (warned) return;
    warned = true;
    process.emitWarning(
      `auditRequests(): a request could not be recorded (${err instanceof Error ? err.message : String(err)}); further failures are not reported`,
      { code: "GATEHOUSE_AUDIT_REQUEST_FAILED" },
    );
  };
}

/**
 * Records API access: one `http.request` audit event per request, written
 * after the response is sent (or the client went away), so the request pays
 * only the cost of `log.record()`. The event holds the actor (from
 * `getAuth(req)`: a user, an API key by its id — `claims.jti` — or signed out
 * with the reason), the caller's organization, IP (`req.ip` with Express's
 * `trust proxy`, else the peer address), `User-Agent`, `x-request-id`, the
 * target `{ type: "route", id: "GET /orgs/:orgId/invoices" }` (Express's
 * route pattern with `req.baseUrl`, else the raw path without query string)
 * and metadata `{ method, route, status, latencyMs }`. Outcome: 2xx/3xx
 * `success`, 401/403 `denied`, anything else (and an aborted request) `failure`.
 *
 * Mount it first, before `authenticate()`, so requests refused early are
 * recorded too. Works under Express 4 and 5, Connect and `node:http`. It
 * never fails a request: an error of `filter`, `actorFrom` or the log is
 * reported once as a process warning (`GATEHOUSE_AUDIT_REQUEST_FAILED`).
 *
 * @param log - From `createAuditLog()`.
 * @param options - See {@link AuditRequestsOptions}.
 * @returns A named `(req, res, next)` middleware.
 * @throws GatehouseError `config_invalid` at start-up when an option is invalid.
 * @example
 * ```ts
 * app.use(auditRequests(auditLog, { skipPaths: ["/health"], sampleRate: 0.1 }));
 * app.use(authenticate(verifier));
 * ```
 */
export function auditRequests<Req extends IncomingMessage = IncomingMessage>(
  log: Pick<AuditLog, "record">,
  options?: AuditRequestsOptions<Req>,
): (req: Req, res: ServerResponse, next: NextFunction) => void {
  if (typeof log?.record !== "function") configError(FACTORY, "log must be an audit log");
  const o = parseOptions(FACTORY, schema, options ?? {});
  const filter = o.filter as AuditRequestsOptions<Req>["filter"];
  const actorFrom = o.actorFrom as AuditRequestsOptions<Req>["actorFrom"];
  const sampleRate = o.sampleRate ?? 1;
  const skip = skipper(o.skipPaths ?? []);
  const warnOnce = warner();

  return function auditRequests(req, res, next) {
    const url = (req as { originalUrl?: unknown }).originalUrl;
    const path = pathOf(typeof url === "string" ? url : req.url);
    if (skip(path)) return next();
    const started = performance.now();
    let done = false;
    const onEnd = () => {
      if (done) return;
      done = true;
      try {
        if (sampleRate < 1 && outcomeOf(res.statusCode) === "success" && res.writableFinished) {
          if (Math.random() >= sampleRate) return;
        }
        if (filter !== undefined && !filter(req, res)) return;
        const actor = actorFrom?.(req);
        log.record(requestEvent(req, res, path, performance.now() - started, actor));
      } catch (err) {
        warnOnce(err);
      }
    };
    res.once("finish", onEnd);
    res.once("close", onEnd);
    next();
  };
}
