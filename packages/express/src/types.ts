import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The `next` callback of the Connect/Express middleware contract: call it with
 * nothing to continue, or with an error to skip to the error handlers.
 *
 * Express's and Connect's `NextFunction` are both assignable to it.
 */
export type NextFunction = (err?: unknown) => void;

/**
 * A `(req, res, next)` middleware, typed on `node:http` so it mounts under
 * Express 4 and 5, Connect, or a bare `http.createServer` handler alike.
 *
 * Express's `Request` and `Response` extend these types, so the functions this
 * package returns are accepted wherever Express expects a `RequestHandler`.
 */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/**
 * A four-argument `(err, req, res, next)` error middleware (Express and
 * Connect tell error middleware apart by its four declared parameters).
 */
export type ErrorMiddleware = (
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
) => void;

/** Options of `authenticate()`. */
export interface AuthenticateOptions {
  /**
   * Also set the context on `req[assignTo]` (e.g. `"auth"`), for code that
   * reads a property rather than calling `getAuth(req)`.
   *
   * Off by default so Gatehouse cannot collide with express-jwt or Passport,
   * which own `req.auth` and `req.user`. The property is not typed for you:
   * augment `Express.Request` in your app if you opt in (see the README).
   *
   * Must be a JavaScript identifier; `__proto__`, `constructor`, `prototype`
   * and properties Node or Express already define (`headers`, `url`, `body`,
   * ...) are refused with `config_invalid`.
   *
   * @default undefined (the context is only reachable through `getAuth(req)`)
   */
  assignTo?: string;
}

/** Options shared by everything that renders a 401 or 503 problem response. */
export interface ProblemOptions {
  /**
   * The `realm` of the RFC 6750 `WWW-Authenticate: Bearer` challenge sent with
   * every 401. Printable ASCII without `"` or `\`.
   *
   * @default undefined (the challenge carries no realm: `Bearer` or
   * `Bearer error="invalid_token", error_description="…"`)
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  realm?: string;
  /**
   * Seconds sent in `Retry-After` with every 503 (such as `jwks_unavailable`).
   * An integer from 0 to 86400.
   *
   * @default 30 (the default cooldown between two JWKS fetches in core)
   * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
   */
  retryAfterSec?: number;
}

/** Options of `requireAuth()`. */
export interface RequireAuthOptions {
  /**
   * The `realm` of the `WWW-Authenticate: Bearer` challenge.
   *
   * @default undefined (no realm attribute)
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  realm?: string;
}

/** Options of `errorHandler()`: the same as {@link ProblemOptions}. */
export type ErrorHandlerOptions = ProblemOptions;
