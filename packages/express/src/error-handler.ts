import { isGatehouseError } from "@gatehouse/core";
import { readOptions, readRealm, readRetryAfter, rejectUnknown } from "./internal/options.js";
import { prepareProblem, writeProblem } from "./internal/render.js";
import type { ErrorHandlerOptions, ErrorMiddleware } from "./types.js";

const FACTORY = "errorHandler()";

/**
 * An error middleware that renders every Gatehouse error (from any copy of
 * `@gatehouse/core`, matched by brand, not `instanceof`) as RFC 9457
 * `application/problem+json` with the error's status: 401 with an RFC 6750
 * `WWW-Authenticate: Bearer` challenge, 503 (`jwks_unavailable`) with
 * `Retry-After`, 500 for `config_invalid`.
 *
 * Any other error is passed on with `next(err)`, untouched, to your own error
 * handlers (and finally Express's): this handler never renders, hides or logs
 * errors it does not own. When headers are already sent it also defers to
 * `next(err)`, which lets Express close the connection.
 *
 * Mount it after your routes. To log Gatehouse errors (a 503 means an issuer
 * is unreachable), mount your logger before it and call `next(err)` from it.
 *
 * @param options - See {@link ErrorHandlerOptions}.
 * @returns A named four-argument `(err, req, res, next)` error middleware.
 * @throws GatehouseError `config_invalid` at start-up when an option is invalid.
 * @example
 * ```ts
 * app.use(authenticate(verifier));
 * app.get("/me", requireAuth(), (req, res) => res.json({ userId: getAuth(req).userId }));
 * app.use(errorHandler({ realm: "api" }));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9457 Problem Details for HTTP APIs
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3 The WWW-Authenticate response header
 */
export function errorHandler(options?: ErrorHandlerOptions): ErrorMiddleware {
  const o = readOptions(FACTORY, options);
  rejectUnknown(FACTORY, o, ["realm", "retryAfterSec"]);
  const settings = {
    realm: readRealm(FACTORY, o.realm),
    retryAfter: String(readRetryAfter(FACTORY, o.retryAfterSec)),
  };

  return function gatehouseErrorHandler(err, _req, res, next) {
    if (!isGatehouseError(err) || res.headersSent) return next(err);
    writeProblem(res, prepareProblem(err.code, err.status, err.message, settings));
  };
}
