/**
 * Reading and writing the transport's cookies with `getHeader`/`setHeader`
 * only (no `res.cookie`, which Connect and `node:http` lack). Internal.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** An RFC 6265 cookie-name (an RFC 7230 token). */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
/** An RFC 6265 cookie-value without quotes: what tokens, JWTs and signed ids are made of. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
/** Longest `Cookie` header read, so a hostile header costs nothing. */
const MAX_COOKIE_HEADER = 16_384;

/** Attributes of a cookie this package sets. */
export interface CookieAttributes {
  /** `Max-Age` in seconds; `0` deletes the cookie. */
  readonly maxAgeSec: number;
  readonly secure: boolean;
  /** Unset for cookies page scripts must read (the double-submit CSRF token). */
  readonly httpOnly: boolean;
  readonly sameSite: "Lax" | "Strict";
}

/** The value of cookie `name` in the request's `Cookie` header(s), or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (typeof raw !== "string" || raw.length > MAX_COOKIE_HEADER) return undefined;
  const prefix = `${name}=`;
  for (const part of raw.split(";")) {
    const pair = part.trim();
    if (!pair.startsWith(prefix)) continue;
    let value = pair.slice(prefix.length).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    return value.length > 0 && COOKIE_VALUE.test(value) ? value : undefined;
  }
  return undefined;
}

/** Serialises one `Set-Cookie` value (`Path=/`, as `__Host-` cookies require). */
export function serializeCookie(name: string, value: string, a: CookieAttributes): string {
  if (!COOKIE_NAME.test(name)) throw new TypeError(`invalid cookie name ${JSON.stringify(name)}`);
  // Tokens are base64url and dots; anything else is a bug, never silently encoded.
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`cookie ${name}: the value has bad bytes`);
  let cookie = `${name}=${value}; Max-Age=${Math.max(0, Math.floor(a.maxAgeSec))}; Path=/`;
  if (a.maxAgeSec <= 0) cookie += "; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
  if (a.httpOnly) cookie += "; HttpOnly";
  if (a.secure) cookie += "; Secure";
  cookie += `; SameSite=${a.sameSite}`;
  return cookie;
}

/** Appends `Set-Cookie` values, keeping those earlier middleware set. */
export function appendSetCookie(res: ServerResponse, cookies: readonly string[]): void {
  if (cookies.length === 0) return;
  const prior = res.getHeader("set-cookie");
  const list =
    prior === undefined ? [] : Array.isArray(prior) ? [...prior] : [String(prior as string)];
  res.setHeader("set-cookie", [...list, ...cookies]);
}
