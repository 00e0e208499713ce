import type { IncomingMessage, ServerResponse } from "node:http";
import type { SignedInAuthContext } from "@gatehouse/core";
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import { getAuth, type Middleware, type NextFunction, requireAuth } from "@gatehouse/express";
import { z } from "zod";
import type { Sessions } from "../types.js";
import { readJsonBody } from "./body.js";
import { readCookie } from "./cookies.js";
import { checkCsrf } from "./csrf.js";
import { notFound, requestFacts, sendJson, sendNoContent } from "./http.js";
import {
  bodyFor,
  clearSessionCookies,
  resolveTransport,
  type SessionTransportOptions,
  setSessionCookies,
} from "./options.js";
import {
  type Handler,
  parseBody,
  readPageQuery,
  routeTable,
  run,
  signedInRoutes,
} from "./routes.js";
import { assertSessions } from "./service.js";

/** Options of {@link sessionRouter}: the transport (shared with `startSession()`). */
export type SessionRouterOptions = SessionTransportOptions;

/** Refresh failures after which the client holds no usable session. */
const REFRESH_FAILURES = new Set([
  "refresh_token_invalid",
  "refresh_token_reused",
  "session_expired",
  "session_revoked",
]);

const refreshBody = z.object({ refreshToken: z.string().min(1).max(2048) });
/**
 * The session self-service routes, as one `(req, res, next)` function that
 * routes by method and path relative to where it is mounted (no Express at
 * run time: it also mounts under Connect):
 *
 * | route | needs | answer |
 * |---|---|---|
 * | `POST /refresh` | a refresh token (body `{ refreshToken }` in bearer mode, the refresh cookie in cookie mode) | 200 a new pair |
 * | `POST /sign-out` | session token | 204; the session is revoked (cookies cleared in cookie mode) |
 * | `GET /sessions` | session token | 200 `{ sessions, nextCursor }`, the caller's marked `current: true` (`?limit=&cursor=`) |
 * | `DELETE /sessions/:id` | session token | 204; another user's id → 404 `not_found` |
 * | `POST /sessions/revoke-others` | session token | 200 `{ revoked }` |
 * | `GET /devices` | session token | 200 `{ devices }`, this one marked `current: true` |
 * | `PUT /devices/:id/trust`, `DELETE /devices/:id/trust` | session token | 204; not yours → 404 |
 *
 * Other requests go to `next()`. Mount `authenticate(verifier)` (with
 * `sessions.issuer()` among the issuers, and in cookie mode
 * `cookieName` set to the access cookie's name) before it. "Session token"
 * means one of this service's access tokens: signed out → 401 exactly as
 * `requireAuth()` answers; an API key or another issuer's token → 403
 * `forbidden` (a leaked key cannot sign anyone out or list devices).
 *
 * Token answers carry `Cache-Control: no-store` (every answer here does).
 * Bearer mode returns `{ accessToken, accessTokenExpiresAt, refreshToken,
 * refreshTokenExpiresAt, session }`; cookie mode sets the access, refresh and
 * device cookies (`HttpOnly; Secure; SameSite=Lax; Path=/`, `Max-Age` from the
 * expiries) and returns `{ accessTokenExpiresAt, session }`. A refused refresh
 * (`refresh_token_invalid`, `refresh_token_reused`, `session_expired`,
 * `session_revoked`) is a 401 and, in cookie mode, clears the cookies; so does
 * a signed-out `POST /sign-out` in cookie mode (scripts cannot delete
 * `HttpOnly` cookies). In cookie mode state-changing routes pass
 * `csrfProtection()` first.
 *
 * Bodies: `req.body` when a JSON parser already ran, else read here (16 KiB
 * at most, `application/json` only). Errors go to `next(err)` for
 * `errorHandler()` to render as problem+json.
 *
 * @param sessions - From `createSessions()`.
 * @param options - See {@link SessionTransportOptions}.
 * @returns A named `(req, res, next)` middleware for Express 4/5, Connect and `node:http`.
 * @throws GatehouseError `config_invalid` at start-up when `sessions` or an option is invalid.
 * @example
 * ```ts
 * const verifier = createVerifier({ issuers: [sessions.issuer(), sessions.apiKeyIssuer()] });
 * app.use(authenticate(verifier));
 * app.use("/auth", sessionRouter(sessions, { transport: "bearer" }));
 * app.use(errorHandler());
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 refresh token rotation and reuse detection
 * @see https://www.rfc-editor.org/rfc/rfc9457 Problem Details for HTTP APIs
 */
export function sessionRouter(sessions: Sessions, options?: SessionRouterOptions): Middleware {
  assertSessions("sessionRouter()", sessions);
  const t = resolveTransport("sessionRouter()", options);
  const settings = sessions.settings;
  const signedOut = requireAuth();
  const cookieMode = t.mode === "cookie";

  /** Only this service's own session tokens manage sessions. */
  const accept = (auth: SignedInAuthContext): string | null => {
    if (auth.tokenType === "api_key") return "An API key cannot manage sessions; sign in.";
    if (
      auth.tokenType !== "session_token" ||
      auth.issuer !== settings.issuer ||
      auth.sessionId === null
    ) {
      return "Only sessions issued by this app can be managed here.";
    }
    return null;
  };

  /** Wraps a handler that needs the caller's session. */
  const signedIn = signedInRoutes<SignedInAuthContext & { sessionId: string }>(accept);

  const refresh: Handler = async (req, res) => {
    let token: string | undefined;
    if (cookieMode) {
      token = readCookie(req, t.names.refresh);
      if (token === undefined) {
        clearSessionCookies(res, t);
        throw new GatehouseError("refresh_token_invalid", "No refresh token was presented.");
      }
    } else {
      token = parseBody("POST /refresh", refreshBody, await readJsonBody(req)).refreshToken;
    }
    let issued: Awaited<ReturnType<Sessions["refresh"]>>;
    try {
      issued = await sessions.refresh(token, requestFacts(req));
    } catch (err) {
      if (cookieMode && isGatehouseError(err) && REFRESH_FAILURES.has(err.code)) {
        clearSessionCookies(res, t);
      }
      throw err;
    }
    if (cookieMode) setSessionCookies(res, t, issued, settings);
    sendJson(res, 200, bodyFor(t, issued));
  };

  const signOut: Handler = (req, res, next, id) => {
    if (cookieMode) {
      let auth: ReturnType<typeof getAuth>;
      try {
        auth = getAuth(req);
      } catch (err) {
        return next(err);
      }
      if (!auth.isSignedIn) {
        // The access cookie expired but the refresh cookie still names the session:
        // end it on the server, and clear both cookies (scripts cannot).
        clearSessionCookies(res, t);
        const refreshToken = readCookie(req, t.names.refresh);
        if (refreshToken !== undefined) {
          sessions.revokeByRefreshToken(refreshToken, { reason: "signed_out" }).then((revoked) => {
            if (revoked) sendNoContent(res);
            else signedOut(req, res, next);
          }, next);
          return;
        }
      }
    }
    return signedIn(async (auth) => {
      await sessions.revoke(auth.sessionId, { reason: "signed_out", by: auth.userId });
      if (cookieMode) clearSessionCookies(res, t);
      sendNoContent(res);
    })(req, res, next, id);
  };

  const listSessions = signedIn(async (auth, req, res) => {
    const query = readPageQuery("GET /sessions", req);
    const page = await sessions.list(auth.userId, query);
    sendJson(res, 200, {
      sessions: page.items.map((s) => ({ ...s, current: s.id === auth.sessionId })),
      nextCursor: page.nextCursor,
    });
  });

  const revokeSession = signedIn(async (auth, _req, res, id) => {
    const session = await sessions.get(id);
    if (session === undefined || session.userId !== auth.userId) throw notFound("The session");
    const current = id === auth.sessionId;
    await sessions.revoke(id, { reason: current ? "signed_out" : "revoked", by: auth.userId });
    if (current && cookieMode) clearSessionCookies(res, t);
    sendNoContent(res);
  });

  const revokeOthers = signedIn(async (auth, _req, res) => {
    const revoked = await sessions.revokeOthers(auth.userId, auth.sessionId, {
      reason: "signed_out_elsewhere",
      by: auth.userId,
    });
    sendJson(res, 200, { revoked });
  });

  const listDevices = signedIn(async (auth, _req, res) => {
    const [devices, session] = await Promise.all([
      sessions.devices(auth.userId),
      sessions.get(auth.sessionId),
    ]);
    const currentDevice = session?.deviceId ?? null;
    sendJson(res, 200, {
      devices: devices.map((d) => ({ ...d, current: d.id === currentDevice })),
    });
  });

  const trust = (trusted: boolean) =>
    signedIn(async (auth, _req, res, id) => {
      if (!(await sessions.trustDevice(auth.userId, id, trusted))) throw notFound("The device");
      sendNoContent(res);
    });

  const match = routeTable([
    { method: "POST", path: "/refresh", handler: refresh },
    { method: "POST", path: "/sign-out", handler: signOut },
    { method: "GET", path: "/sessions", handler: listSessions },
    { method: "POST", path: "/sessions/revoke-others", handler: revokeOthers },
    { method: "DELETE", path: "/sessions/:id", handler: revokeSession },
    { method: "GET", path: "/devices", handler: listDevices },
    { method: "PUT", path: "/devices/:id/trust", handler: trust(true) },
    { method: "DELETE", path: "/devices/:id/trust", handler: trust(false) },
  ]);

  return function sessionRouter(req: IncomingMessage, res: ServerResponse, next: NextFunction) {
    const found = match(req);
    if (found === undefined) return next();
    if (t.csrf !== undefined) {
      const refused = checkCsrf(req, res, t.csrf);
      if (refused !== null) return next(refused);
    }
    run(found.handler, req, res, next, found.id);
  };
}
