/**
 * Turns a `User-Agent` header into the browser, OS and device type a session
 * list shows ("Chrome 131 on macOS"), with bowser. Only the header is read:
 * no fingerprinting.
 *
 * @packageDocumentation
 */
import Bowser from "bowser";

/** What a session list shows about the client. */
export interface ParsedUserAgent {
  /** e.g. `Chrome 131`. */
  readonly browser: string | null;
  /** e.g. `macOS 10.15.7`. */
  readonly os: string | null;
  /** `desktop`, `mobile`, `tablet`, `tv` or `bot`. */
  readonly deviceType: string | null;
}

const MAX_UA = 512;
const NONE: ParsedUserAgent = Object.freeze({ browser: null, os: null, deviceType: null });

/** Caps a header value for storage (user agents can be made arbitrarily long). */
export function clampUserAgent(userAgent: string | null | undefined): string | null {
  if (typeof userAgent !== "string" || userAgent.length === 0) return null;
  return userAgent.slice(0, MAX_UA);
}

/** Parses a `User-Agent` header; unknown parts are `null`, never a guess. */
export function parseUserAgent(userAgent: string | null | undefined): ParsedUserAgent {
  const ua = clampUserAgent(userAgent);
  if (ua === null) return NONE;
  const parsed = Bowser.parse(ua);
  const join = (name?: string, version?: string) =>
    name ? (version ? `${name} ${version.split(".")[0]}` : name) : null;
  const osVersion = parsed.os.version;
  return Object.freeze({
    browser: join(parsed.browser.name, parsed.browser.version),
    os: parsed.os.name ? (osVersion ? `${parsed.os.name} ${osVersion}` : parsed.os.name) : null,
    deviceType: parsed.platform.type ?? null,
  });
}
