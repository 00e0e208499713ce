import { timingSafeEqual } from "node:crypto";
import { type Clock, createVerifier, GatehouseError } from "@gatehouse/core";
import { authenticate, errorHandler, getAuth, requireAuth } from "@gatehouse/express";
import type { Sessions } from "@gatehouse/sessions";
import {
  apiKeyRouter,
  jwksHandler,
  requireScope,
  type SessionTransportOptions,
  sessionResponse,
  sessionRouter,
  startSession,
  trackActivity,
} from "@gatehouse/sessions/express";
import express, { type Express, type RequestHandler } from "express";

/** The one scope this API defines. */
export const REPORTS_READ = "reports:read";

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly sessions: Sessions;
  /** How tokens travel (bearer JSON, or HttpOnly cookies). @default bearer */
  readonly transport?: SessionTransportOptions;
  /**
   * Shared token of the development admin check (`x-admin-token` header) on
   * `POST /admin/users/:userId/sign-out`. Without it the route is off (404).
   */
  readonly adminToken?: string;
  /** `NODE_ENV`: `POST /dev/sign-in` answers 404 in `production`. */
  readonly nodeEnv?: string;
  /** For tests. @default the system clock */
  readonly clock?: Clock;
}

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Development admin check: a shared token in a header, compared in constant time. */
function devAdmin(adminToken: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (adminToken === undefined) return next("route");
    const sent = Buffer.from(String(req.headers["x-admin-token"] ?? ""));
    const want = Buffer.from(adminToken);
    if (sent.length !== want.length || !timingSafeEqual(sent, want)) {
      return next(new GatehouseError("forbidden", "The admin token is missing or wrong."));
    }
    next();
  };
}

/**
 * The example app: a development sign-in, the session self-service routes
 * under `/auth`, API keys under `/api-keys`, the JWKS, two API routes and an
 * admin "sign this user out everywhere".
 */
export function createApp(o: AppOptions): Express {
  const { sessions } = o;
  const transport = o.transport ?? {};
  const cookieMode = transport.transport === "cookie";
  const accessCookie =
    transport.cookies?.names?.access ??
    (transport.cookies?.insecureDevCookies ? "gh_access" : "__Host-gh_access");
  // Access tokens and API keys of this app; in cookie mode also read the access cookie.
  const verifier = createVerifier({
    issuers: [sessions.issuer(), sessions.apiKeyIssuer()],
    ...(cookieMode ? { cookieName: accessCookie } : {}),
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  });

  const app = express();
  app.disable("x-powered-by");
  app.use(authenticate(verifier), trackActivity(sessions));

  // Stands in for your real sign-in (password, passkey, magic link, ...): it trusts the
  // userId it is given, so it exists only outside production.
  app.post("/dev/sign-in", express.json(), (req, res, next) => {
    if (o.nodeEnv === "production") return next();
    const userId = req.body?.userId;
    if (typeof userId !== "string" || !USER_ID.test(userId)) {
      return next(new GatehouseError("input_invalid", '"userId": 1 to 64 of [A-Za-z0-9_-].'));
    }
    startSession(sessions, req, res, { userId, authMethod: "dev" }, transport).then((issued) => {
      res.status(201).json(sessionResponse(issued, transport));
    }, next);
  });

  app.use("/auth", sessionRouter(sessions, transport));
  app.use("/api-keys", apiKeyRouter(sessions, { allowedScopes: [REPORTS_READ] }));
  app.get("/.well-known/jwks.json", jwksHandler(sessions));

  // Signed in by session token or API key.
  app.get("/api/me", requireAuth(), (req, res) => {
    const auth = getAuth(req);
    res.json({
      userId: auth.userId,
      sessionId: auth.sessionId,
      tokenType: auth.tokenType,
      scopes: auth.scopes,
    });
  });

  // API keys holding reports:read only (a browser session is not enough here).
  app.get("/api/reports", requireScope(REPORTS_READ, { sessions: "deny" }), (req, res) => {
    res.json({ owner: getAuth(req).userId, reports: [{ id: "rep_1", title: "Q1 revenue" }] });
  });

  // Forces a user out of every session (account compromise, offboarding).
  app.post("/admin/users/:userId/sign-out", devAdmin(o.adminToken), (req, res, next) => {
    const userId = String(req.params.userId);
    sessions.revokeAll(userId, { reason: "admin", by: "admin" }).then((revoked) => {
      res.json({ userId, revoked });
    }, next);
  });

  app.use(errorHandler());
  return app;
}
