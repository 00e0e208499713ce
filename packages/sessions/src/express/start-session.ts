import type { IncomingMessage, ServerResponse } from "node:http";
import type { CreateSessionInput, IssuedSession, Sessions } from "../types.js";
import { appendSetCookie, readCookie } from "./cookies.js";
import { ensureCsrfCookie } from "./csrf.js";
import { header, requestFacts } from "./http.js";
import {
  type BearerSessionBody,
  bodyFor,
  type CookieSessionBody,
  deviceCookie,
  resolveTransport,
  type SessionTransportOptions,
  setSessionCookies,
} from "./options.js";
import { assertSessions } from "./service.js";

/**
 * Starts a session for a user your sign-in route just authenticated, and
 * hands the tokens to the client the way `options.transport` says.
 *
 * Builds the session input from the request (`ip`: Express `req.ip`, which
 * honours `trust proxy`, else the socket's address; the `User-Agent` header;
 * the device cookie, to recognise a returning browser; `origin`: the request's
 * `Origin` when it is one of the service's `authorizedParties`), lets `input`
 * override any of them, calls `sessions.create()`, and then:
 *
 * - always sets `Cache-Control: no-store` and the device cookie (a year, `sessions.settings.deviceCookieMaxAgeSec`);
 * - in cookie mode also sets the access and refresh cookies (and the CSRF
 *   cookie when `csrf.doubleSubmit` is on).
 *
 * It does not answer: send {@link sessionResponse}`(issued, options)` (tokens
 * in bearer mode, none in cookie mode) or your own body.
 *
 * @param sessions - From `createSessions()`.
 * @param req - The sign-in request.
 * @param res - Its response (headers not sent yet).
 * @param input - At least `userId`; `authMethod`, `organization`, … as for `sessions.create()`.
 * @param options - The same transport options as `sessionRouter()` (pass the same object).
 * @returns The issued session (its tokens are secrets: never log them).
 * @throws GatehouseError `config_invalid` when `options` are invalid; the service's errors (`session_limit_reached`, `input_invalid`, `store_unavailable`).
 * @example
 * ```ts
 * const transport = { transport: "cookie" } as const;
 * app.post("/sign-in", express.json(), async (req, res, next) => {
 *   try {
 *     const userId = await checkPassword(req.body.email, req.body.password);
 *     const issued = await startSession(sessions, req, res, { userId, authMethod: "password" }, transport);
 *     res.status(201).json(sessionResponse(issued, transport));
 *   } catch (err) {
 *     next(err);
 *   }
 * });
 * ```
 */
export async function startSession(
  sessions: Sessions,
  req: IncomingMessage,
  res: ServerResponse,
  input: CreateSessionInput,
  options?: SessionTransportOptions,
): Promise<IssuedSession> {
  assertSessions("startSession()", sessions);
  const t = resolveTransport("startSession()", options);
  const facts = requestFacts(req);
  const origin = header(req, "origin");
  const issued = await sessions.create({
    ...input,
    ip: input.ip ?? facts.ip,
    userAgent: input.userAgent ?? facts.userAgent,
    deviceToken: input.deviceToken ?? readCookie(req, t.names.device) ?? null,
    origin:
      input.origin ??
      (origin !== undefined && sessions.settings.authorizedParties.includes(origin)
        ? origin
        : undefined),
  });
  res.setHeader("cache-control", "no-store");
  if (t.mode === "cookie") {
    setSessionCookies(res, t, issued, sessions.settings);
    if (t.csrf?.doubleSubmit) ensureCsrfCookie(req, res, t.csrf);
  } else {
    appendSetCookie(res, deviceCookie(t, issued, sessions.settings));
  }
  return issued;
}

/**
 * The JSON body of a token response for the transport: in bearer mode
 * `{ accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt, session }`;
 * in cookie mode `{ accessTokenExpiresAt, session }` (the tokens are in cookies).
 * The same body `sessionRouter()`'s `POST /refresh` sends.
 *
 * @param issued - From {@link startSession} or `sessions.create()`.
 * @param options - The transport options. @default bearer
 * @example
 * ```ts
 * res.status(201).json(sessionResponse(issued, transport));
 * ```
 */
export function sessionResponse(
  issued: IssuedSession,
  options?: SessionTransportOptions,
): BearerSessionBody | CookieSessionBody {
  return bodyFor(resolveTransport("sessionResponse()", options), issued);
}
