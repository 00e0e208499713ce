/**
 * What the request logger records about one answered request. Internal.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getAuth } from "@gatehouse/express";
import { requestFacts, requestIdOf } from "../capture/request.js";
import type { AuditActor, AuditEventInput, AuditOutcome } from "../event.js";

/** The action of a request event. */
export const REQUEST_ACTION = "http.request";

const MAX_PATH = 512;
const ANONYMOUS: AuditActor = Object.freeze({ type: "user", id: null });

/** The path of a URL, without its query string, bounded. */
export function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.search(/[?#]/);
  const path = q === -1 ? raw : raw.slice(0, q);
  return (path === "" ? "/" : path).slice(0, MAX_PATH);
}

/** Express's route pattern (`/orgs/:orgId/invoices`) when a route answered, else the raw path. */
export function routeOf(req: IncomingMessage, rawPath: string): string {
  const { route, baseUrl } = req as { route?: { path?: unknown }; baseUrl?: unknown };
  const pattern = route?.path;
  if (typeof pattern !== "string") return rawPath;
  const base = typeof baseUrl === "string" ? baseUrl : "";
  return `${base}${pattern}`.slice(0, MAX_PATH) || "/";
}

/** 2xx and 3xx succeed, 401 and 403 are denials, anything else failed. */
export function outcomeOf(status: number): AuditOutcome {
  if (status >= 200 && status < 400) return "success";
  return status === 401 || status === 403 ? "denied" : "failure";
}

interface Caller {
  readonly actor: AuditActor;
  readonly orgId: string | null;
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The caller as `authenticate()` saw it: a user, an API key (its id from `jti`), or signed out. */
export function callerOf(req: IncomingMessage): Caller {
  let auth: ReturnType<typeof getAuth>;
  try {
    auth = getAuth(req);
  } catch {
    return { actor: ANONYMOUS, orgId: null, extra: {} };
  }
  if (!auth.isSignedIn) return { actor: ANONYMOUS, orgId: null, extra: { signedOut: auth.reason } };
  if (auth.tokenType === "api_key") {
    const jti = auth.claims.jti;
    return {
      actor: { type: "api_key", id: typeof jti === "string" && jti !== "" ? jti : auth.userId },
      orgId: auth.orgId,
      extra: { subject: auth.userId },
    };
  }
  return {
    actor: { type: "user", id: auth.userId, impersonatorId: auth.actor?.sub ?? null },
    orgId: auth.orgId,
    extra: {},
  };
}

/** The audit event of an answered (or aborted) request. */
export function requestEvent(
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  latencyMs: number,
  actor: AuditActor | null | undefined,
): AuditEventInput {
  const caller = callerOf(req);
  const method = (req.method ?? "GET").slice(0, 16);
  const route = routeOf(req, rawPath);
  const aborted = !res.writableFinished;
  const status = res.statusCode;
  const facts = requestFacts(req);
  return {
    action: REQUEST_ACTION,
    actor: actor ?? caller.actor,
    target: { type: "route", id: `${method} ${route}` },
    orgId: caller.orgId,
    outcome: aborted ? "failure" : outcomeOf(status),
    ip: facts.ip,
    userAgent: facts.userAgent,
    // A request id a middleware put on the response, when the request had none.
    requestId: facts.requestId ?? requestIdOf(res.getHeader("x-request-id")),
    metadata: {
      method,
      route,
      status,
      latencyMs: Math.round(latencyMs * 10) / 10,
      ...caller.extra,
      ...(aborted ? { aborted: true } : {}),
    },
  };
}
