import { GatehouseError } from "../errors.js";

function isNumericDate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Checks `exp` (required), `nbf` and `iat` against `nowMs`, allowing
 * `skewMs` of clock difference each way (RFC 7519 §4.1.4–4.1.6).
 */
export function checkTimeClaims(
  payload: Record<string, unknown>,
  nowMs: number,
  skewMs: number,
): void {
  const { exp, nbf, iat } = payload;
  if (!isNumericDate(exp)) {
    throw new GatehouseError("claim_invalid", "The token has no valid exp claim.");
  }
  if (exp * 1000 <= nowMs - skewMs) {
    throw new GatehouseError("token_expired", "The token has expired.");
  }
  if (nbf !== undefined) {
    if (!isNumericDate(nbf))
      throw new GatehouseError("claim_invalid", "The nbf claim is not a number.");
    if (nbf * 1000 > nowMs + skewMs) {
      throw new GatehouseError("token_not_yet_valid", "The token is not valid yet (nbf).");
    }
  }
  if (iat !== undefined) {
    if (!isNumericDate(iat))
      throw new GatehouseError("claim_invalid", "The iat claim is not a number.");
    if (iat * 1000 > nowMs + skewMs) {
      throw new GatehouseError(
        "token_issued_in_future",
        "The token was issued in the future (iat).",
      );
    }
  }
}

/** Checks that `sub` is a non-empty string. */
export function checkSubject(payload: Record<string, unknown>): string {
  const sub = payload.sub;
  if (typeof sub !== "string" || sub.length === 0) {
    throw new GatehouseError("claim_invalid", "The token has no valid sub claim.");
  }
  return sub;
}

/**
 * Checks that `aud` (a string or an array of strings) names one of `expected`.
 * A token without `aud` fails when an audience is expected.
 */
export function checkAudience(aud: unknown, expected: readonly string[]): void {
  const ok =
    typeof aud === "string"
      ? expected.includes(aud)
      : Array.isArray(aud) &&
        aud.every((a) => typeof a === "string") &&
        aud.some((a: string) => expected.includes(a));
  if (!ok)
    throw new GatehouseError("audience_invalid", "The token is not meant for this audience (aud).");
}

/** Normalises a `typ` value for comparison: case-insensitive, `application/` optional (RFC 7515 §4.1.9). */
export function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith("application/") ? lower.slice("application/".length) : lower;
}

/**
 * Checks the authorized party (`azp`) against the allowed origins. A token
 * read from a cookie must always pass this check, because a browser sends
 * cookies on cross-site requests too (CSRF): with no allowed origins
 * configured, cookie tokens are refused.
 */
export function checkAuthorizedParty(
  azp: unknown,
  authorizedParties: readonly string[],
  fromCookie: boolean,
): void {
  if (authorizedParties.length === 0) {
    if (!fromCookie) return;
    throw new GatehouseError(
      "azp_invalid",
      "Cookie tokens are refused because no authorizedParties are configured.",
    );
  }
  if (typeof azp !== "string" || !authorizedParties.includes(azp)) {
    throw new GatehouseError("azp_invalid", "The token was issued to an unauthorized party (azp).");
  }
}
