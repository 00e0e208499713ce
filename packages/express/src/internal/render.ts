import type { ServerResponse } from "node:http";
import { STATUS_CODES } from "node:http";
import type { GatehouseErrorCode } from "@gatehouse/core";

/** Base of the `type` URI of every Gatehouse problem: `<base><code>`. */
export const PROBLEM_TYPE_BASE = "https://gatehouse.dev/errors/";

/** The RFC 9457 members Gatehouse renders, plus the `code` extension member. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: GatehouseErrorCode;
}

/** Validated rendering settings, parsed once by each factory. */
export interface RenderSettings {
  readonly realm: string | undefined;
  readonly retryAfter: string;
}

/** A response ready to write: computed once, written many times if constant. */
export interface PreparedProblem {
  readonly status: number;
  readonly body: string;
  readonly length: string;
  readonly challenge: string | undefined;
  readonly retryAfter: string | undefined;
}

/** An error status, or 500 when the value is not an integer from 400 to 599. */
export function errorStatus(status: unknown): number {
  return typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : 500;
}

/** Removes what may not appear in an RFC 6750 `error_description` (no `"`, `\`, controls, non-ASCII). */
function descriptionText(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "").slice(0, 300);
}

/**
 * The RFC 6750 §3 challenge for a 401: `error="invalid_token"` when a
 * credential was presented and refused; no error attribute when none was
 * presented (`token_missing`, RFC 6750 §3.1).
 */
export function bearerChallenge(code: string, detail: string, realm: string | undefined): string {
  let params = realm === undefined ? "" : `realm="${realm}"`;
  if (code !== "token_missing") {
    if (params !== "") params += ", ";
    params += `error="invalid_token", error_description="${descriptionText(detail)}"`;
  }
  return params === "" ? "Bearer" : `Bearer ${params}`;
}

/** The problem+json body of an error. */
export function problemBody(code: GatehouseErrorCode, status: number, detail: string): ProblemBody {
  const s = errorStatus(status);
  return {
    type: PROBLEM_TYPE_BASE + encodeURIComponent(String(code)),
    title: STATUS_CODES[s] ?? "Error",
    status: s,
    detail: String(detail),
    code,
  };
}

/** Serialises a problem and the headers that go with its status. */
export function prepareProblem(
  code: GatehouseErrorCode,
  status: number,
  detail: string,
  settings: RenderSettings,
): PreparedProblem {
  const problem = problemBody(code, status, detail);
  const body = JSON.stringify(problem);
  return {
    status: problem.status,
    body,
    length: String(Buffer.byteLength(body)),
    challenge:
      problem.status === 401 ? bearerChallenge(code, problem.detail, settings.realm) : undefined,
    retryAfter: problem.status === 503 ? settings.retryAfter : undefined,
  };
}

/**
 * Writes a prepared problem with `statusCode`, `setHeader` and `end()` only,
 * so it works on Express 4 and 5, Connect and bare `node:http` responses.
 * Content headers an earlier middleware may have set are removed first (as
 * finalhandler does).
 */
export function writeProblem(res: ServerResponse, p: PreparedProblem): void {
  res.statusCode = p.status;
  res.removeHeader("content-encoding");
  res.removeHeader("content-language");
  res.removeHeader("content-range");
  res.setHeader("content-type", "application/problem+json");
  res.setHeader("content-length", p.length);
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
  if (p.challenge !== undefined) res.setHeader("www-authenticate", p.challenge);
  if (p.retryAfter !== undefined) res.setHeader("retry-after", p.retryAfter);
  res.end(p.body);
}
