import type { IncomingMessage, ServerResponse } from "node:http";
import { parseOptions } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import { type Middleware, type NextFunction, requireAuth } from "@gatehouse/express";
import { z } from "zod";
import { exportEvents } from "../query/export.js";
import type { AuditSearch } from "../query/filter.js";
import type { AuditQuery } from "../query/search.js";
import { EVENTS_KEYS, EXPORT_KEYS, parseFilters, type RequestFilters } from "./filters.js";
import { type AuditScope, type ScopeResolver, withScope } from "./gate.js";
import { queryPairs, relativePath, sendDownload, sendJson } from "./http.js";

/** Options of {@link auditRouter}. */
export interface AuditRouterOptions<Req extends IncomingMessage = IncomingMessage> {
  /**
   * The part of the trail a request may read, decided by your server from
   * the authenticated caller (and the route): `{ orgId }`, or `null` to
   * refuse with 403. Every search and export is limited to it.
   */
  scope: ScopeResolver<Req>;
  /**
   * A middleware run first (after the signed-in check), e.g. an RBAC guard
   * such as `guard.requireOrgAdmin`; it answers its own refusals.
   * @default undefined (the scope alone decides)
   */
  guard?: Middleware;
}

const FACTORY = "auditRouter()";
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", {
  message: "must be a function",
});
const schema = z.strictObject({ scope: fn, guard: fn.optional() });

const TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/jsonl; charset=utf-8" };

/** The search filter of a request's filters, within its scope. */
function toSearch(f: RequestFilters, scope: AuditScope): AuditSearch {
  const namespace = f.action?.endsWith(".*") ? f.action.slice(0, -2) : undefined;
  return {
    scope,
    ...(f.actor === undefined ? {} : { actorId: f.actor }),
    ...(f.action === undefined
      ? {}
      : namespace === undefined
        ? { action: f.action }
        : { actionPrefix: namespace }),
    ...(f.target === undefined ? {} : { targetId: f.target }),
    ...(f.outcome === undefined ? {} : { outcome: f.outcome }),
    ...(f.from === undefined ? {} : { from: f.from }),
    ...(f.to === undefined ? {} : { to: f.to }),
  };
}

/** A file name part: the organization id, with anything unsafe in a header replaced. */
const safeName = (orgId: string) => orgId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);

/**
 * An organization's audit trail over HTTP, for its admins, as one
 * `(req, res, next)` function routing relative to its mount point:
 *
 * | route | answer |
 * |---|---|
 * | `GET /events?actor=&action=&target=&outcome=&from=&to=&cursor=&limit=` | 200 `{ events, nextCursor }`, newest first |
 * | `GET /export?format=csv\|jsonl&actor=&action=&target=&outcome=&from=&to=` | 200, streamed as a download |
 *
 * `action` is an action (`session.revoked`) or a namespace (`session.*`);
 * `from`/`to` epoch ms or ISO 8601 (`to` exclusive); `limit` 1–200
 * (default 50); `format` defaults to `jsonl`. Every request is signed in
 * (else 401 as `requireAuth()` answers), passes `guard`, and gets its scope
 * from `scope(req)` (`null` → 403 `forbidden`); no query parameter can
 * widen it. An unknown, repeated or malformed parameter is 400
 * `input_invalid`. Answers are `Cache-Control: no-store`. Errors go to
 * `next(err)` for `errorHandler()`. Other paths and methods go to `next()`.
 *
 * @param query - From `createAuditQuery(store.records)`.
 * @param options - See {@link AuditRouterOptions}.
 * @returns A named `(req, res, next)` middleware for Express 4/5, Connect and `node:http`.
 * @throws GatehouseError `config_invalid` at start-up when an argument is invalid.
 * @example
 * ```ts
 * app.use(
 *   "/orgs/:orgId/audit",
 *   auditRouter(createAuditQuery(store.records), {
 *     guard: guard.requireOrgAdmin,
 *     scope: (req: Request) => ({ orgId: req.params.orgId! }),
 *   }),
 * );
 * ```
 */
export function auditRouter<Req extends IncomingMessage = IncomingMessage>(
  query: AuditQuery,
  options: AuditRouterOptions<Req>,
): (req: Req, res: ServerResponse, next: NextFunction) => void {
  if (typeof query?.search !== "function") configError(FACTORY, "query must be createAuditQuery()");
  const o = parseOptions(FACTORY, schema, options);
  const settings = {
    signedOut: requireAuth(),
    guard: o.guard as Middleware | undefined,
    scope: o.scope as ScopeResolver<Req>,
  };

  const events = (req: Req, res: ServerResponse, next: NextFunction, scope: AuditScope) => {
    const f = parseFilters("GET /events", queryPairs(req), EVENTS_KEYS);
    const search = { ...toSearch(f, scope), limit: f.limit ?? 50 };
    query
      .search(f.cursor === undefined ? search : { ...search, cursor: f.cursor })
      .then(
        (page) => sendJson(res, 200, { events: page.items, nextCursor: page.nextCursor }),
        next,
      );
  };

  const download = (req: Req, res: ServerResponse, next: NextFunction, scope: AuditScope) => {
    const f = parseFilters("GET /export", queryPairs(req), EXPORT_KEYS);
    const format = f.format ?? "jsonl";
    const chunks = exportEvents(query, toSearch(f, scope), format);
    const name = `audit-${safeName(scope.orgId)}.${format}`;
    sendDownload(res, TYPES[format], name, chunks).then(undefined, next);
  };

  return function auditRouter(req, res, next) {
    if (req.method !== "GET") return next();
    const path = relativePath(req);
    const handler = path === "/events" ? events : path === "/export" ? download : undefined;
    if (handler === undefined) return next();
    withScope(req, res, next, settings, (scope) => {
      try {
        handler(req, res, next, scope);
      } catch (err) {
        next(err);
      }
    });
  };
}
