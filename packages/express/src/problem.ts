import type { ServerResponse } from "node:http";
import type { GatehouseError } from "@gatehouse/core";
import { readOptions, readRealm, readRetryAfter, rejectUnknown } from "./internal/options.js";
import { type ProblemBody, prepareProblem, problemBody, writeProblem } from "./internal/render.js";
import type { ProblemOptions } from "./types.js";

/**
 * An RFC 9457 problem details object as Gatehouse renders it: the standard
 * `type`, `title`, `status` and `detail` members plus the stable `code`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
export type ProblemDetails = ProblemBody;

/**
 * What a problem is made from: a {@link GatehouseError} (from any copy of
 * `@gatehouse/core`) or any object with the same `code`, `status` and `message`.
 */
export type ProblemSource = Pick<GatehouseError, "code" | "status" | "message">;

/**
 * The RFC 9457 problem details of a Gatehouse error.
 *
 * `type` is the stable URI `https://gatehouse.dev/errors/<code>`, `title` the
 * standard reason phrase of the status, `detail` the error's client-safe
 * message (Gatehouse messages never contain a credential). A status outside
 * 400–599 is rendered as 500.
 *
 * @example
 * ```ts
 * problemDetails(new GatehouseError("token_expired", "The token has expired."));
 * // { type: "https://gatehouse.dev/errors/token_expired", title: "Unauthorized",
 * //   status: 401, detail: "The token has expired.", code: "token_expired" }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9457 Problem Details for HTTP APIs
 */
export function problemDetails(err: ProblemSource): ProblemDetails {
  return problemBody(err.code, err.status, err.message);
}

/**
 * Answers a request with the problem details of a Gatehouse error, using only
 * `statusCode`, `setHeader` and `end()` (Express, Connect and `node:http`).
 *
 * Sets `content-type: application/problem+json`, `cache-control: no-store`
 * and `x-content-type-options: nosniff`; a 401 also gets an RFC 6750
 * `WWW-Authenticate: Bearer` challenge (`error="invalid_token"` unless the code
 * is `token_missing`), and a 503 gets `Retry-After`. The caller must check
 * `res.headersSent` first.
 *
 * @param res - The response; nothing may have been sent yet.
 * @param err - The error to render.
 * @param options - Challenge realm and `Retry-After` seconds.
 * @throws GatehouseError `config_invalid` when `options` are invalid.
 * @example
 * ```ts
 * if (!invoice) return sendProblem(res, new GatehouseError("forbidden", "Not your invoice."));
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9457 Problem Details for HTTP APIs
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3 The WWW-Authenticate response header
 */
export function sendProblem(
  res: ServerResponse,
  err: ProblemSource,
  options?: ProblemOptions,
): void {
  const o = readOptions("sendProblem()", options);
  rejectUnknown("sendProblem()", o, ["realm", "retryAfterSec"]);
  const settings = {
    realm: readRealm("sendProblem()", o.realm),
    retryAfter: String(readRetryAfter("sendProblem()", o.retryAfterSec)),
  };
  writeProblem(res, prepareProblem(err.code, err.status, err.message, settings));
}
