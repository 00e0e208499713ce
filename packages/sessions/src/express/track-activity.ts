import { getAuth, type Middleware } from "@gatehouse/express";
import type { Sessions } from "../types.js";
import { requestFacts } from "./http.js";
import { assertSessions } from "./service.js";

/**
 * Records activity on the caller's session (`sessions.touch()`: `lastActiveAt`,
 * IP, `User-Agent`, throttled by the service to one write per
 * `activityWriteIntervalSec`), so "my sessions" lists show when and where each
 * was last used. Only requests signed in with one of this service's session
 * tokens are recorded; API keys and other issuers' tokens are ignored.
 *
 * It never delays or fails a request: the write is not awaited, and a failure
 * (a store outage) is reported once as a process warning
 * (`GATEHOUSE_SESSION_TOUCH_FAILED`), later ones silently.
 *
 * Mount it after `authenticate()`.
 *
 * @param sessions - From `createSessions()`.
 * @returns A named `(req, res, next)` middleware for Express 4/5, Connect and `node:http`.
 * @throws GatehouseError `config_invalid` at start-up when `sessions` is not the service.
 * @example
 * ```ts
 * app.use(authenticate(verifier), trackActivity(sessions));
 * ```
 */
export function trackActivity(sessions: Sessions): Middleware {
  assertSessions("trackActivity()", sessions);
  const issuer = sessions.settings.issuer;
  let warned = false;
  const warn = (err: unknown) => {
    if (warned) return;
    warned = true;
    const code = (err as { code?: unknown } | null)?.code;
    process.emitWarning(
      `trackActivity(): sessions.touch() failed${typeof code === "string" ? ` (${code})` : ""}; further failures are not reported`,
      { code: "GATEHOUSE_SESSION_TOUCH_FAILED" },
    );
  };

  return function trackActivity(req, _res, next) {
    let auth: ReturnType<typeof getAuth>;
    try {
      auth = getAuth(req);
    } catch (err) {
      return next(err);
    }
    if (
      auth.isSignedIn &&
      auth.tokenType === "session_token" &&
      auth.sessionId !== null &&
      auth.issuer === issuer
    ) {
      try {
        sessions.touch(auth.sessionId, requestFacts(req)).catch(warn);
      } catch (err) {
        warn(err);
      }
    }
    next();
  };
}
