import type { ServerResponse } from "node:http";
import { parseOptions } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { z } from "zod";
import type { IssuedSession, SessionInfo, SessionSettings } from "../types.js";
import { appendSetCookie, COOKIE_NAME, type CookieAttributes, serializeCookie } from "./cookies.js";
import { type CsrfOptions, type CsrfSettings, originSchema, resolveCsrf } from "./csrf.js";

/**
 * Cookie settings of the cookie transport (and of the device cookie, set in both).
 *
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3 the `__Host-` prefix
 */
export interface SessionCookieOptions {
  /** Cookie names. @default the `__Host-gh_*` names below */
  names?: {
    /**
     * The access token. Give the same name to `createVerifier({ cookieName })`
     * so `authenticate()` reads it.
     *
     * @default "__Host-gh_access" ("gh_access" with `insecureDevCookies`)
     */
    access?: string;
    /** The refresh token. @default "__Host-gh_refresh" ("gh_refresh" with `insecureDevCookies`) */
    refresh?: string;
    /** The signed device id. @default "__Host-gh_device" ("gh_device" with `insecureDevCookies`) */
    device?: string;
    /** The double-submit CSRF token (`csrf.doubleSubmit`). @default "__Host-gh_csrf" ("gh_csrf" with `insecureDevCookies`) */
    csrf?: string;
  };
  /**
   * The `Secure` attribute. `false` is accepted only together with
   * `insecureDevCookies: true`.
   *
   * @default true
   */
  secure?: boolean;
  /**
   * Development over `http://localhost`: cookies without `Secure`, and the
   * default names without the `__Host-` prefix (which requires `Secure`).
   * Refused when `NODE_ENV=production`.
   *
   * @default false
   */
  insecureDevCookies?: boolean;
}

/**
 * How tokens travel between the app and its clients: shared by
 * `sessionRouter()` and `startSession()` (pass them the same object; it is
 * parsed once).
 */
export interface SessionTransportOptions {
  /**
   * `"bearer"`: tokens in JSON bodies, the access token sent back in
   * `Authorization: Bearer` (mobile apps, SPAs holding tokens in memory).
   * `"cookie"`: tokens in `HttpOnly` cookies the browser sends by itself;
   * bodies carry no token.
   *
   * @default "bearer"
   */
  transport?: "bearer" | "cookie";
  /** Cookie names and security attributes. All cookies are `HttpOnly; SameSite=Lax; Path=/`. */
  cookies?: SessionCookieOptions;
  /**
   * CSRF protection of the router's state-changing routes (see
   * `csrfProtection()`): `true`, `false`, or its options.
   *
   * @default true in cookie mode, false in bearer mode (a bearer token is not sent by the browser on its own)
   */
  csrf?: boolean | Pick<CsrfOptions, "trustedOrigins" | "doubleSubmit">;
}

/** The parsed transport settings. Internal. */
export interface Transport {
  readonly mode: "bearer" | "cookie";
  readonly names: { readonly access: string; readonly refresh: string; readonly device: string };
  readonly secure: boolean;
  readonly csrf: CsrfSettings | undefined;
}

const cookieName = z.string().regex(COOKIE_NAME, "must be a cookie name (RFC 6265 token)");

const schema = z.strictObject({
  transport: z.enum(["bearer", "cookie"]).optional(),
  cookies: z
    .strictObject({
      names: z
        .strictObject({
          access: cookieName.optional(),
          refresh: cookieName.optional(),
          device: cookieName.optional(),
          csrf: cookieName.optional(),
        })
        .optional(),
      secure: z.boolean().optional(),
      insecureDevCookies: z.boolean().optional(),
    })
    .optional(),
  csrf: z
    .union([
      z.boolean(),
      z.strictObject({
        trustedOrigins: z.array(originSchema).max(100).optional(),
        doubleSubmit: z.boolean().optional(),
      }),
    ])
    .optional(),
});

const parsed = new WeakMap<object, Transport>();

function fail(factory: string, option: string, message: string): never {
  throw new GatehouseError("config_invalid", `${factory}: option "${option}": ${message}`);
}

/**
 * Parses {@link SessionTransportOptions} once per options object (so
 * `startSession()`, called per sign-in, does not parse again). Internal.
 */
export function resolveTransport(factory: string, options: unknown): Transport {
  if (typeof options === "object" && options !== null) {
    const known = parsed.get(options);
    if (known !== undefined) return known;
  }
  const o = parseOptions(factory, schema, options ?? {});
  const insecure = o.cookies?.insecureDevCookies === true;
  const secure = o.cookies?.secure ?? !insecure;
  if (!secure && !insecure) {
    fail(
      factory,
      "cookies.secure",
      "false requires cookies.insecureDevCookies: true (http://localhost only)",
    );
  }
  if (insecure && secure) {
    fail(factory, "cookies.insecureDevCookies", "contradicts cookies.secure: true");
  }
  if (insecure && process.env.NODE_ENV === "production") {
    fail(factory, "cookies.insecureDevCookies", "refused when NODE_ENV=production");
  }
  const prefix = insecure ? "gh_" : "__Host-gh_";
  const given = o.cookies?.names ?? {};
  const names = Object.freeze({
    access: given.access ?? `${prefix}access`,
    refresh: given.refresh ?? `${prefix}refresh`,
    device: given.device ?? `${prefix}device`,
  });
  const csrfName = given.csrf ?? `${prefix}csrf`;
  for (const [key, name] of Object.entries({ ...names, csrf: csrfName })) {
    if (insecure && /^__(Host|Secure)-/i.test(name)) {
      fail(factory, `cookies.names.${key}`, "a __Host- or __Secure- cookie needs Secure");
    }
  }
  if (new Set([...Object.values(names), csrfName]).size !== 4) {
    fail(factory, "cookies.names", "every cookie needs its own name");
  }
  const mode = o.transport ?? "bearer";
  const csrfOption = o.csrf ?? mode === "cookie";
  const csrf =
    csrfOption === false
      ? undefined
      : resolveCsrf(factory, {
          ...(csrfOption === true ? {} : csrfOption),
          cookieName: csrfName,
          insecureDevCookies: insecure,
        });
  const transport: Transport = Object.freeze({ mode, names, secure, csrf });
  if (typeof options === "object" && options !== null) parsed.set(options, transport);
  return transport;
}

/** Attributes of an `HttpOnly; SameSite=Lax` session cookie. */
function attributes(t: Transport, maxAgeSec: number): CookieAttributes {
  return { maxAgeSec, secure: t.secure, httpOnly: true, sameSite: "Lax" };
}

/** Seconds from issue to `expiresAt`. */
function maxAgeOf(issued: IssuedSession, expiresAt: number): number {
  return Math.max(0, Math.floor((expiresAt - issued.issuedAt) / 1000));
}

/**
 * The device cookie (about a year), which lets the next sign-in recognise this
 * browser; none when the service issued no device token (a refresh).
 */
export function deviceCookie(
  t: Transport,
  issued: IssuedSession,
  settings: SessionSettings,
): string[] {
  if (issued.deviceToken === null) return [];
  return [
    serializeCookie(
      t.names.device,
      issued.deviceToken,
      attributes(t, settings.deviceCookieMaxAgeSec),
    ),
  ];
}

/** Sets the access, refresh and device cookies of a newly issued pair (cookie mode). */
export function setSessionCookies(
  res: ServerResponse,
  t: Transport,
  issued: IssuedSession,
  settings: SessionSettings,
): void {
  appendSetCookie(res, [
    serializeCookie(
      t.names.access,
      issued.accessToken,
      attributes(t, maxAgeOf(issued, issued.accessTokenExpiresAt)),
    ),
    serializeCookie(
      t.names.refresh,
      issued.refreshToken,
      attributes(t, maxAgeOf(issued, issued.refreshTokenExpiresAt)),
    ),
    ...deviceCookie(t, issued, settings),
  ]);
}

/**
 * Deletes the access and refresh cookies (sign-out, failed refresh). The
 * device cookie stays: it is what recognises this browser at the next sign-in.
 */
export function clearSessionCookies(res: ServerResponse, t: Transport): void {
  appendSetCookie(res, [
    serializeCookie(t.names.access, "", attributes(t, 0)),
    serializeCookie(t.names.refresh, "", attributes(t, 0)),
  ]);
}

/** What a token response carries in bearer mode. */
export interface BearerSessionBody {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: number;
  readonly session: SessionInfo;
}

/** What a token response carries in cookie mode: no token (they are in `HttpOnly` cookies). */
export interface CookieSessionBody {
  readonly accessTokenExpiresAt: number;
  readonly session: SessionInfo;
}

/** The JSON body of a token response for this transport. */
export function bodyFor(
  t: Transport,
  issued: IssuedSession,
): BearerSessionBody | CookieSessionBody {
  if (t.mode === "cookie") {
    return { accessTokenExpiresAt: issued.accessTokenExpiresAt, session: issued.session };
  }
  return {
    accessToken: issued.accessToken,
    accessTokenExpiresAt: issued.accessTokenExpiresAt,
    refreshToken: issued.refreshToken,
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
    session: issued.session,
  };
}
