import { sign } from "node:crypto";
import type { GatehouseErrorCode } from "@gatehouse/core";
import { nowSec, signRawJwt } from "@gatehouse/testing";
import {
  APP_ORIGIN,
  attackerEc,
  attackerRsa,
  b64,
  CLERK_ISS,
  clerkClaims,
  clerkHeader,
  clerkKeys,
  clerkSigned,
  clerkSignedSegments,
  clock,
  IDP_ISS,
  idpKeys,
  json,
} from "./fixtures.js";

/** One hostile token and the code it must be refused with. */
export interface HostileCase {
  readonly name: string;
  readonly token: () => string;
  readonly code: GatehouseErrorCode;
  /** Presented from the `__session` cookie instead of the Authorization header. */
  readonly cookie?: boolean;
}

const idpHeader = { alg: "ES256", kid: idpKeys.kid, typ: "JWT" };
function idpClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSec(clock);
  return {
    iss: IDP_ISS,
    sub: "svc_orders",
    aud: "api://orders",
    iat: now,
    exp: now + 60,
    ...overrides,
  };
}
const idpSigned = (payload = idpClaims(), header: Record<string, unknown> = idpHeader) =>
  signRawJwt({ header, payload, key: idpKeys.privateKey, alg: "ES256" });

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A payload segment whose last character carries non-zero padding bits. */
function nonCanonicalSegment(payload: Record<string, unknown>): string {
  let text = JSON.stringify(payload);
  while (Buffer.byteLength(text) % 3 !== 1) text += " "; // 1 spare byte → 2 chars, 4 padding bits
  const seg = b64(text);
  const last = BASE64URL.indexOf(seg.at(-1)!);
  return seg.slice(0, -1) + BASE64URL[last | 1];
}

/** A payload segment with `=` padding, which compact JWS forbids. */
function paddedSegment(payload: Record<string, unknown>): string {
  let text = JSON.stringify(payload);
  while (Buffer.byteLength(text) % 3 === 0) text += " ";
  return Buffer.from(text).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** A payload segment that contains `-` or `_`, re-encoded in the standard alphabet (`+`, `/`). */
function standardAlphabetSegment(): string {
  for (let i = 0; ; i++) {
    const seg = json(clerkClaims({ pad: "?".repeat(i), n: ">>>" }));
    if (/[-_]/.test(seg)) return seg.replace(/-/g, "+").replace(/_/g, "/");
  }
}

/** The payload bytes with `bytes` spliced into the `sub` string. */
function payloadWithRawSub(bytes: number[]): string {
  const [before, after] = JSON.stringify(clerkClaims({ sub: "@@" })).split("@@");
  return b64(Buffer.concat([Buffer.from(before!), Buffer.from(bytes), Buffer.from(after!)]));
}

const headerSeg = json(clerkHeader);
const validPayloadSeg = () => json(clerkClaims());
const resign = (headerSegment: string, payloadSegment: string) =>
  clerkSignedSegments(headerSegment, payloadSegment);

/** The hostile tokens: each is valid but for exactly one defect. */
export const hostileCases: readonly HostileCase[] = [
  // Unsecured tokens (RFC 8725 §3.1), in any casing.
  {
    name: "alg none",
    code: "alg_none",
    token: () => `${json({ alg: "none" })}.${validPayloadSeg()}.`,
  },
  {
    name: "alg None",
    code: "alg_none",
    token: () => `${json({ alg: "None" })}.${validPayloadSeg()}.`,
  },
  {
    name: "alg NONE",
    code: "alg_none",
    token: () => `${json({ alg: "NONE" })}.${validPayloadSeg()}.`,
  },
  {
    name: "alg nOnE with a real signature attached",
    code: "alg_none",
    token: () => {
      const real = clerkSigned().split(".")[2];
      return `${json({ alg: "nOnE", kid: clerkKeys.kid })}.${validPayloadSeg()}.${real}`;
    },
  },
  // Algorithm confusion: HMAC keyed with the public key (RFC 8725 §2.1).
  {
    name: "HS256 keyed with the issuer's PEM public key",
    code: "alg_confusion",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, alg: "HS256" },
        payload: clerkClaims(),
        key: clerkKeys.publicKeyPem,
        alg: "HS256",
      }),
  },
  {
    name: "HS512 keyed with the issuer's PEM public key",
    code: "alg_confusion",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, alg: "HS512" },
        payload: clerkClaims(),
        key: clerkKeys.publicKeyPem,
        alg: "HS512",
      }),
  },
  {
    name: "HS256 keyed with the issuer's JWK as JSON",
    code: "alg_confusion",
    token: () =>
      signRawJwt({
        header: { alg: "HS256", kid: idpKeys.kid },
        payload: idpClaims(),
        key: JSON.stringify(idpKeys.publicJwk),
        alg: "HS256",
      }),
  },
  // Algorithms the issuer does not allow.
  {
    name: "no alg at all",
    code: "alg_not_allowed",
    token: () => resign(json({ kid: clerkKeys.kid, typ: "JWT" }), validPayloadSeg()),
  },
  {
    name: "alg as a number",
    code: "alg_not_allowed",
    token: () => resign(json({ alg: 256, kid: clerkKeys.kid }), validPayloadSeg()),
  },
  {
    name: "unknown alg RS1",
    code: "alg_not_allowed",
    token: () => resign(json({ ...clerkHeader, alg: "RS1" }), validPayloadSeg()),
  },
  {
    name: "PS256 to a Clerk (RS256-only) issuer",
    code: "alg_not_allowed",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, alg: "PS256" },
        payload: clerkClaims(),
        key: clerkKeys.privateKey,
        alg: "PS256",
      }),
  },
  {
    name: "ES256 signed by an attacker, claiming the Clerk issuer",
    code: "alg_not_allowed",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, alg: "ES256" },
        payload: clerkClaims(),
        key: attackerEc.privateKey,
        alg: "ES256",
      }),
  },
  // Keys offered by the token itself (RFC 8725 §3.10).
  {
    name: "embedded jwk of the attacker's key",
    code: "header_embedded_key",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, jwk: attackerRsa.publicJwk },
        payload: clerkClaims(),
        key: attackerRsa.privateKey,
        alg: "RS256",
      }),
  },
  {
    name: "jku pointing at an attacker's JWKS",
    code: "header_embedded_key",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, jku: "https://attacker.example/jwks.json" },
        payload: clerkClaims(),
        key: attackerRsa.privateKey,
        alg: "RS256",
      }),
  },
  {
    name: "x5u pointing at an attacker's certificate",
    code: "header_embedded_key",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, x5u: "https://attacker.example/cert.pem" },
        payload: clerkClaims(),
        key: attackerRsa.privateKey,
        alg: "RS256",
      }),
  },
  {
    name: "x5c with an attacker's certificate chain",
    code: "header_embedded_key",
    token: () =>
      signRawJwt({
        header: { ...clerkHeader, x5c: ["MIIBszCCAVmgAwIBAgIU"] },
        payload: clerkClaims(),
        key: attackerRsa.privateKey,
        alg: "RS256",
      }),
  },
  // Critical extensions nobody here understands (RFC 7515 §4.1.11).
  {
    name: "crit [exp]",
    code: "header_crit_unsupported",
    token: () => clerkSigned(clerkClaims(), { ...clerkHeader, crit: ["exp"], exp: 1 }),
  },
  {
    name: "crit [b64] with b64 false",
    code: "header_crit_unsupported",
    token: () => clerkSigned(clerkClaims(), { ...clerkHeader, crit: ["b64"], b64: false }),
  },
  {
    name: "crit as an empty list",
    code: "header_crit_unsupported",
    token: () => clerkSigned(clerkClaims(), { ...clerkHeader, crit: [] }),
  },
  // Forged and tampered signatures.
  {
    name: "re-signed by the attacker's RSA key with the real kid",
    code: "signature_invalid",
    token: () =>
      signRawJwt({
        header: clerkHeader,
        payload: clerkClaims(),
        key: attackerRsa.privateKey,
        alg: "RS256",
      }),
  },
  {
    name: "payload tampered (sub swapped) under the original signature",
    code: "signature_invalid",
    token: () => {
      const [h, , s] = clerkSigned().split(".");
      return `${h}.${json(clerkClaims({ sub: "user_admin" }))}.${s}`;
    },
  },
  {
    name: "header tampered (typ dropped) under the original signature",
    code: "signature_invalid",
    token: () => {
      const [, p, s] = clerkSigned().split(".");
      return `${json({ alg: "RS256", kid: clerkKeys.kid })}.${p}.${s}`;
    },
  },
  {
    name: "signature truncated by one byte",
    code: "signature_invalid",
    token: () => {
      const [h, p, s] = clerkSigned().split(".");
      return `${h}.${p}.${b64(Buffer.from(s!, "base64url").subarray(1))}`;
    },
  },
  {
    name: "empty signature on an RS256 token",
    code: "signature_invalid",
    token: () => `${headerSeg}.${validPayloadSeg()}.`,
  },
  {
    name: "all-zero RS256 signature",
    code: "signature_invalid",
    token: () => `${headerSeg}.${validPayloadSeg()}.${b64(Buffer.alloc(256))}`,
  },
  {
    name: "ES256 psychic signature r = s = 0 (CVE-2022-21449)",
    code: "signature_invalid",
    token: () => `${json(idpHeader)}.${json(idpClaims())}.${b64(Buffer.alloc(64))}`,
  },
  {
    name: "ES256 signature in DER instead of raw r||s",
    code: "signature_invalid",
    token: () => {
      const input = `${json(idpHeader)}.${json(idpClaims())}`;
      return `${input}.${b64(sign("sha256", Buffer.from(input), idpKeys.privateKey))}`;
    },
  },
  {
    name: "re-signed by the attacker's EC key with the real kid",
    code: "signature_invalid",
    token: () =>
      signRawJwt({
        header: idpHeader,
        payload: idpClaims(),
        key: attackerEc.privateKey,
        alg: "ES256",
      }),
  },
  {
    name: "kid the issuer's JWKS does not hold",
    code: "kid_unknown",
    token: () => idpSigned(idpClaims(), { ...idpHeader, kid: "rotated-away" }),
  },
  {
    name: "IdP iss with a kid only the Clerk instance has (issuer spoofing)",
    code: "kid_unknown",
    token: () =>
      signRawJwt({
        header: { alg: "ES256", kid: clerkKeys.kid },
        payload: idpClaims(),
        key: attackerEc.privateKey,
        alg: "ES256",
      }),
  },
  // Time.
  {
    name: "expired a minute ago",
    code: "token_expired",
    token: () => clerkSigned(clerkClaims({ exp: nowSec(clock) - 60 })),
  },
  {
    name: "expired a year ago",
    code: "token_expired",
    token: () => clerkSigned(clerkClaims({ iat: 1, nbf: 1, exp: nowSec(clock) - 31_536_000 })),
  },
  {
    name: "not valid for another hour (nbf)",
    code: "token_not_yet_valid",
    token: () => clerkSigned(clerkClaims({ nbf: nowSec(clock) + 3600 })),
  },
  {
    name: "issued an hour in the future (iat)",
    code: "token_issued_in_future",
    token: () => clerkSigned(clerkClaims({ iat: nowSec(clock) + 3600 })),
  },
  // Missing or ill-typed claims.
  {
    name: "no exp",
    code: "claim_invalid",
    token: () => clerkSigned(clerkClaims({ exp: undefined })),
  },
  {
    name: "exp as a string",
    code: "claim_invalid",
    token: () => clerkSigned(clerkClaims({ exp: "9999999999" })),
  },
  {
    name: "nbf as a string",
    code: "claim_invalid",
    token: () => clerkSigned(clerkClaims({ nbf: "0" })),
  },
  {
    name: "no sub",
    code: "claim_invalid",
    token: () => clerkSigned(clerkClaims({ sub: undefined })),
  },
  {
    name: "sub as an empty string",
    code: "claim_invalid",
    token: () => clerkSigned(clerkClaims({ sub: "" })),
  },
  {
    name: "sub as an object",
    code: "claim_invalid",
    token: () => clerkSigned(clerkClaims({ sub: { id: "user_admin" } })),
  },
  {
    name: "no iss",
    code: "claim_invalid",
    token: () => clerkSigned(clerkClaims({ iss: undefined })),
  },
  // Wrong issuer, audience, authorized party.
  {
    name: "iss nobody trusts",
    code: "issuer_unknown",
    token: () => clerkSigned(clerkClaims({ iss: "https://evil.example" })),
  },
  {
    name: "aud for another API",
    code: "audience_invalid",
    token: () => idpSigned(idpClaims({ aud: "api://billing" })),
  },
  {
    name: "no aud where one is required",
    code: "audience_invalid",
    token: () => idpSigned(idpClaims({ aud: undefined })),
  },
  {
    name: "aud list without this API",
    code: "audience_invalid",
    token: () => idpSigned(idpClaims({ aud: ["api://a", "api://b"] })),
  },
  {
    name: "aud as a number",
    code: "audience_invalid",
    token: () => idpSigned(idpClaims({ aud: 42 })),
  },
  {
    name: "azp of another origin",
    code: "azp_invalid",
    token: () => clerkSigned(clerkClaims({ azp: "https://evil.example" })),
  },
  {
    name: "no azp where authorized parties are set",
    code: "azp_invalid",
    token: () => clerkSigned(clerkClaims({ azp: undefined })),
  },
  {
    name: "azp of another origin, from the cookie",
    code: "azp_invalid",
    cookie: true,
    token: () => clerkSigned(clerkClaims({ azp: "https://evil.example" })),
  },
  {
    name: "typ at+jwt on a Clerk session token",
    code: "header_typ_invalid",
    token: () => clerkSigned(clerkClaims(), { ...clerkHeader, typ: "at+jwt" }),
  },
  {
    name: "pending session (sts: pending)",
    code: "session_pending",
    token: () => clerkSigned(clerkClaims({ sts: "pending" })),
  },
  // Malformed structure.
  {
    name: "two segments",
    code: "token_malformed",
    token: () => `${headerSeg}.${validPayloadSeg()}`,
  },
  { name: "four segments", code: "token_malformed", token: () => `${clerkSigned()}.${headerSeg}` },
  { name: "five segments (JWE)", code: "token_malformed", token: () => `${headerSeg}.a.b.c.d` },
  {
    name: "empty header segment",
    code: "token_malformed",
    token: () => `.${validPayloadSeg()}.c2ln`,
  },
  { name: "empty payload segment", code: "token_malformed", token: () => `${headerSeg}..c2ln` },
  {
    name: "kid as a number",
    code: "token_malformed",
    token: () => clerkSigned(clerkClaims(), { alg: "RS256", kid: 7 }),
  },
  {
    name: "padded payload segment",
    code: "token_base64_invalid",
    token: () => resign(headerSeg, paddedSegment(clerkClaims())),
  },
  {
    name: "standard-alphabet base64 (+ and /)",
    code: "token_base64_invalid",
    token: () => resign(headerSeg, standardAlphabetSegment()),
  },
  {
    name: "non-zero trailing bits",
    code: "token_base64_invalid",
    token: () => resign(headerSeg, nonCanonicalSegment(clerkClaims())),
  },
  {
    name: "whitespace inside the payload",
    code: "token_base64_invalid",
    token: () => {
      const seg = validPayloadSeg();
      return resign(headerSeg, `${seg.slice(0, 10)} ${seg.slice(10)}`);
    },
  },
  {
    name: "length that no base64 can have",
    code: "token_base64_invalid",
    token: () => `${headerSeg}.${validPayloadSeg()}A.c2ln`,
  },
  {
    name: "duplicate sub in the payload",
    code: "token_json_duplicate_key",
    token: () =>
      resign(headerSeg, b64(JSON.stringify(clerkClaims()).replace("{", '{"sub":"user_admin",'))),
  },
  {
    name: "duplicate sub spelled with a unicode escape",
    code: "token_json_escaped_name",
    token: () =>
      resign(
        headerSeg,
        b64(JSON.stringify(clerkClaims()).replace("{", '{"\\u0073ub":"user_admin",')),
      ),
  },
  {
    name: "claim name spelled with escapes (parser differential)",
    code: "token_json_escaped_name",
    token: () =>
      resign(headerSeg, b64(JSON.stringify(clerkClaims()).replace('"azp"', '"\\u0061zp"'))),
  },
  {
    name: "header member name spelled with escapes",
    code: "token_json_escaped_name",
    token: () => resign(b64(`{"\\u0061lg":"RS256","kid":"${clerkKeys.kid}"}`), validPayloadSeg()),
  },
  {
    name: "duplicate alg in the header (none, then RS256)",
    code: "token_json_duplicate_key",
    token: () =>
      resign(b64(`{"alg":"none","kid":"${clerkKeys.kid}","alg":"RS256"}`), validPayloadSeg()),
  },
  {
    name: "duplicate id inside the org claim",
    code: "token_json_duplicate_key",
    token: () =>
      resign(
        headerSeg,
        b64(
          JSON.stringify(clerkClaims({ o: { id: "org_1" } })).replace(
            '{"id"',
            '{"id":"org_admin","id"',
          ),
        ),
      ),
  },
  {
    name: "byte-order mark before the payload",
    code: "token_json_bom",
    token: () =>
      resign(
        headerSeg,
        b64(
          Buffer.concat([
            Buffer.from([0xef, 0xbb, 0xbf]),
            Buffer.from(JSON.stringify(clerkClaims())),
          ]),
        ),
      ),
  },
  {
    name: "invalid UTF-8 inside sub",
    code: "token_utf8_invalid",
    token: () => resign(headerSeg, payloadWithRawSub([0xc3, 0x28])),
  },
  {
    name: "overlong UTF-8 encoding of '/'",
    code: "token_utf8_invalid",
    token: () => resign(headerSeg, payloadWithRawSub([0xc0, 0xaf])),
  },
  {
    name: "payload is a JSON array",
    code: "token_not_object",
    token: () => resign(headerSeg, json([clerkClaims()])),
  },
  {
    name: "payload is a JSON string",
    code: "token_not_object",
    token: () => resign(headerSeg, json("user_admin")),
  },
  {
    name: "payload is JSON null",
    code: "token_not_object",
    token: () => resign(headerSeg, json(null)),
  },
  {
    name: "header is a JSON array",
    code: "token_not_object",
    token: () => resign(json([clerkHeader]), validPayloadSeg()),
  },
  {
    name: "payload is not JSON",
    code: "token_json_invalid",
    token: () => resign(headerSeg, b64("{sub: user_admin}")),
  },
  {
    name: "payload is truncated JSON",
    code: "token_json_invalid",
    token: () => resign(headerSeg, b64(JSON.stringify(clerkClaims()).slice(0, -1))),
  },
  {
    name: "oversized token (a 9 KiB claim)",
    code: "token_too_large",
    token: () => clerkSigned(clerkClaims({ blob: "x".repeat(9 * 1024) })),
  },
];

/** The Clerk origin, for tests that build their own requests. */
export { APP_ORIGIN, CLERK_ISS };
