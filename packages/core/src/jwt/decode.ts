import { GatehouseError } from "../errors.js";
import { decodeBase64url } from "./base64url.js";
import { parseJsonObject } from "./json.js";

/** The protected header of a JWS, after the checks every token must pass. */
export interface JwsHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [member: string]: unknown;
}

/** A compact JWS split and parsed, not yet verified: nothing in it is trusted. */
export interface DecodedJwt {
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
  /** ASCII bytes of `header.payload`, the input the signature covers. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

// Header members that would let the token choose its own key (RFC 8725 §3.10).
const EMBEDDED_KEY_MEMBERS = ["jwk", "jku", "x5u", "x5c"] as const;

/**
 * Splits and parses a compact JWS. Every structural rule is enforced here, so
 * no later step sees a token that is oversized, mis-segmented, non-canonical,
 * unsecured (`alg: none`), self-keyed (`jwk`/`jku`/`x5u`/`x5c`) or that relies
 * on a `crit` extension. Parsed headers are memoised in `headerCache` (headers
 * repeat across tokens of one issuer); only headers that pass are cached.
 */
export function decodeJwt(
  token: string,
  maxLength: number,
  headerCache: Map<string, JwsHeader>,
): DecodedJwt {
  if (token.length > maxLength) {
    throw new GatehouseError("token_too_large", `The token exceeds ${maxLength} bytes.`);
  }
  const first = token.indexOf(".");
  const second = token.indexOf(".", first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf(".", second + 1) !== -1) {
    throw new GatehouseError(
      "token_malformed",
      "The token is not a compact JWS of three dot-separated segments.",
    );
  }
  const headerSegment = token.slice(0, first);
  let header = headerCache.get(headerSegment);
  if (header === undefined) {
    header = parseHeader(headerSegment);
    if (headerCache.size >= 64) headerCache.delete(headerCache.keys().next().value as string);
    headerCache.set(headerSegment, header);
  }
  const payload = parseJsonObject(
    decodeBase64url(token.slice(first + 1, second), "token payload"),
    "token payload",
  );
  const signature = decodeBase64url(token.slice(second + 1), "token signature");
  return {
    header,
    payload,
    signingInput: Buffer.from(token.slice(0, second), "latin1"),
    signature,
  };
}

function parseHeader(segment: string): JwsHeader {
  const header = parseJsonObject(decodeBase64url(segment, "token header"), "token header");
  const alg = header.alg;
  if (typeof alg !== "string" || alg.length === 0) {
    throw new GatehouseError("alg_not_allowed", "The token header has no algorithm.");
  }
  if (alg.toLowerCase() === "none") {
    throw new GatehouseError("alg_none", "Unsecured tokens (alg: none) are never accepted.");
  }
  for (const member of EMBEDDED_KEY_MEMBERS) {
    if (Object.hasOwn(header, member)) {
      throw new GatehouseError(
        "header_embedded_key",
        `The token header carries a key (${member}); keys are only taken from the issuer's configuration.`,
      );
    }
  }
  // No JWS extension is supported, so any `crit` (RFC 7515 §4.1.11) must be refused.
  if (Object.hasOwn(header, "crit")) {
    throw new GatehouseError(
      "header_crit_unsupported",
      "The token header requires an extension (crit) this verifier does not support.",
    );
  }
  if (header.kid !== undefined && typeof header.kid !== "string") {
    throw new GatehouseError("token_malformed", "The token header kid is not a string.");
  }
  if (header.typ !== undefined && typeof header.typ !== "string") {
    throw new GatehouseError("header_typ_invalid", "The token header typ is not a string.");
  }
  return Object.freeze(header) as JwsHeader;
}
