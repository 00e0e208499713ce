import type { IncomingMessage, ServerResponse } from "node:http";
import { parseOptions } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import type { Middleware } from "@gatehouse/express";
import { z } from "zod";
import { randomToken, safeEqual } from "../crypto.js";
import { appendSetCookie, COOKIE_NAME, readCookie, serializeCookie } from "./cookies.js";
import { header } from "./http.js";

/** Options of {@link csrfProtection}. */
export interface CsrfOptions {
  /**
   * Other origins allowed to send state-changing requests (`https://admin.example.com`):
   * exact serialised origins (scheme, host, port; no path, no trailing slash).
   *
   * @default [] (only the request's own origin)
   */
  trustedOrigins?: readonly string[];
  /**
   * Also require a double-submit token: the `__Host-gh_csrf` cookie (set by
   * this middleware, readable by page scripts) echoed in an `x-csrf-token`
   * header, compared in constant time. Defence in depth for browsers that
   * send neither `Sec-Fetch-Site` nor `Origin`.
   *
   * @default false
   */
  doubleSubmit?: boolean;
  /**
   * Name of the double-submit cookie.
   *
   * @default "__Host-gh_csrf" ("gh_csrf" with `insecureDevCookies`)
   */
  cookieName?: string;
  /**
   * Set the double-submit cookie without `Secure` (and without the `__Host-`
   * prefix), for `http://localhost` development only. Refused when
   * `NODE_ENV=production`.
   *
   * @default false
   */
  insecureDevCookies?: boolean;
}

/** The CSRF settings, parsed once. Internal. */
export interface CsrfSettings {
  readonly trustedOrigins: ReadonlySet<string>;
  readonly doubleSubmit: boolean;
  readonly cookieName: string;
  readonly secure: boolean;
}

/** The header carrying the double-submit token. */
export const CSRF_HEADER = "x-csrf-token";
/** Lifetime of the double-submit cookie (a year; a missing one is simply set again). */
const CSRF_COOKIE_MAX_AGE_SEC = 31_536_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A serialised web origin: `https://example.com`, `http://localhost:3000`. */
export const originSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}, "must be an origin such as https://app.example.com (scheme, host and port only)");

const schema = z.strictObject({
  trustedOrigins: z.array(originSchema).max(100).optional(),
  doubleSubmit: z.boolean().optional(),
  cookieName: z.string().regex(COOKIE_NAME, "must be a cookie name (RFC 6265 token)").optional(),
  insecureDevCookies: z.boolean().optional(),
});

/** Parses {@link CsrfOptions} for `factory`; shared with `sessionRouter()`. Internal. */
export function resolveCsrf(factory: string, options: unknown): CsrfSettings {
  const o = parseOptions(factory, schema, options ?? {});
  const insecure = o.insecureDevCookies === true;
  if (insecure && process.env.NODE_ENV === "production") {
    throw new GatehouseError(
      "config_invalid",
      `${factory}: option "insecureDevCookies": refused when NODE_ENV=production`,
    );
  }
  const cookieName = o.cookieName ?? (insecure ? "gh_csrf" : "__Host-gh_csrf");
  if (insecure && /^__(Host|Secure)-/i.test(cookieName)) {
    throw new GatehouseError(
      "config_invalid",
      `${factory}: option "cookieName": a __Host- or __Secure- cookie needs Secure; drop the prefix with insecureDevCookies`,
    );
  }
  return Object.freeze({
    trustedOrigins: new Set(o.trustedOrigins ?? []),
    doubleSubmit: o.doubleSubmit === true,
    cookieName,
    secure: !insecure,
  });
}

/** Whether `origin` (an `Origin` header) names the host the request was sent to. */
function isOwnOrigin(req: IncomingMessage, origin: string): boolean {
  const host = header(req, "host");
  if (host === undefined) return false;
  try {
    const from = new URL(origin);
    if (from.origin !== origin) return false;
    // Re-read the Host header under the origin's scheme, so default ports compare equal.
    return new URL(`${from.protocol}//${host}`).host === from.host;
  } catch {
    return false;
  }
}

/** Why an unsafe request fails the origin check, or `null` when it passes. */
function originRefusal(req: IncomingMessage, s: CsrfSettings): string | null {
  const site = header(req, "sec-fetch-site")?.trim().toLowerCase();
  const origin = header(req, "origin")?.trim();
  if (site !== undefined) {
    if (site === "same-origin" || site === "none") return null;
    if (origin !== undefined && s.trustedOrigins.has(origin)) return null;
    return `A ${site === "same-site" ? "same-site" : "cross-site"} request may not change state here.`;
  }
  if (origin === undefined) return null; // not a browser: it cannot carry the cookie cross-site
  if (s.trustedOrigins.has(origin) || isOwnOrigin(req, origin)) return null;
  return "The request's Origin is not allowed to change state here.";
}

/** Sets the double-submit cookie when the request lacks a well-formed one. */
export function ensureCsrfCookie(req: IncomingMessage, res: ServerResponse, s: CsrfSettings): void {
  const current = readCookie(req, s.cookieName);
  if (current !== undefined && TOKEN.test(current)) return;
  appendSetCookie(res, [
    serializeCookie(s.cookieName, randomToken(32), {
      maxAgeSec: CSRF_COOKIE_MAX_AGE_SEC,
      secure: s.secure,
      httpOnly: false,
      sameSite: "Strict",
    }),
  ]);
}

/** Checks a request; `null` when it may go on, else the `csrf_rejected` error. */
export function checkCsrf(
  req: IncomingMessage,
  res: ServerResponse,
  s: CsrfSettings,
): GatehouseError | null {
  if (s.doubleSubmit) ensureCsrfCookie(req, res, s);
  if (SAFE_METHODS.has(req.method ?? "GET")) return null;
  const refusal = originRefusal(req, s);
  if (refusal !== null) return new GatehouseError("csrf_rejected", refusal);
  if (s.doubleSubmit) {
    const cookie = readCookie(req, s.cookieName);
    const sent = header(req, CSRF_HEADER);
    if (
      cookie === undefined ||
      sent === undefined ||
      !TOKEN.test(cookie) ||
      !safeEqual(cookie, sent.trim())
    ) {
      return new GatehouseError(
        "csrf_rejected",
        `The ${CSRF_HEADER} header does not match the CSRF cookie.`,
      );
    }
  }
  return null;
}

/**
 * Refuses cross-site state-changing requests (CSRF) with 403 `csrf_rejected`,
 * from the Fetch Metadata and `Origin` headers browsers send, so no token
 * plumbing is needed. Safe methods (`GET`, `HEAD`, `OPTIONS`) always pass.
 * For the others:
 *
 * - `Sec-Fetch-Site: same-origin` or `none` (typed URL, bookmark) passes;
 *   `same-site` and `cross-site` fail unless `Origin` is in `trustedOrigins`;
 * - without `Sec-Fetch-Site` (older browsers), an `Origin` must name the
 *   request's own host (the `Host` header) or a trusted origin;
 * - with neither header the request passes: it is not from a browser, and
 *   only a browser attaches the victim's cookies to a forged request.
 *
 * With `doubleSubmit: true` a request must also echo the `__Host-gh_csrf`
 * cookie in an `x-csrf-token` header (compared in constant time); the
 * middleware sets that cookie (readable by scripts, `SameSite=Strict`) on any
 * request that lacks it.
 *
 * Behind a proxy that rewrites `Host`, list the public origin in
 * `trustedOrigins`. Errors go to `next(err)` for `errorHandler()` to render.
 * `sessionRouter()` applies this in cookie mode.
 *
 * @param options - See {@link CsrfOptions}.
 * @returns A named `(req, res, next)` middleware for Express 4/5, Connect and `node:http`.
 * @throws GatehouseError `config_invalid` at start-up when an option is invalid.
 * @example
 * ```ts
 * app.use(csrfProtection({ trustedOrigins: ["https://admin.example.com"] }));
 * ```
 * @see https://developer.mozilla.org/docs/Web/HTTP/Reference/Headers/Sec-Fetch-Site
 * @see https://words.filippo.io/csrf/ (the algorithm of Go's `http.CrossOriginProtection`)
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
export function csrfProtection(options?: CsrfOptions): Middleware {
  const settings = resolveCsrf("csrfProtection()", options);
  return function csrfProtection(req, res, next) {
    const refused = checkCsrf(req, res, settings);
    if (refused === null) next();
    else next(refused);
  };
}
