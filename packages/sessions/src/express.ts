/**
 * Express, Connect and `node:http` bindings for `@gatehouse/sessions`:
 * {@link sessionRouter} (refresh, sign-out, my sessions and devices),
 * {@link startSession} for your sign-in routes, {@link apiKeyRouter},
 * {@link jwksHandler}, and the middleware {@link requireScope},
 * {@link csrfProtection} and {@link trackActivity}. Tokens travel as bearer
 * tokens in JSON or in `HttpOnly` cookies (`transport`).
 *
 * @packageDocumentation
 */
export { type ApiKeyRouterOptions, apiKeyRouter } from "./express/api-key-router.js";
export { type CsrfOptions, csrfProtection } from "./express/csrf.js";
export { jwksHandler } from "./express/jwks.js";
export type {
  BearerSessionBody,
  CookieSessionBody,
  SessionCookieOptions,
  SessionTransportOptions,
} from "./express/options.js";
export { type RequireScopeOptions, requireScope } from "./express/require-scope.js";
export { type SessionRouterOptions, sessionRouter } from "./express/session-router.js";
export { sessionResponse, startSession } from "./express/start-session.js";
export { trackActivity } from "./express/track-activity.js";
