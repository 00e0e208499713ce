/**
 * Compact JWS signing of access tokens (RFC 7515, typ `at+jwt` per RFC 9068)
 * with `node:crypto`.
 *
 * @packageDocumentation
 */
import { type KeyObject, sign } from "node:crypto";
import type { SigningAlgorithm } from "./key-material.js";

/** Signs a claims object into a compact JWS. */
export type JwsSigner = (claims: Readonly<Record<string, unknown>>) => string;

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");

/**
 * A signer for one key; the encoded header is computed once.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-7.1 JWS Compact Serialization
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.1 `typ: at+jwt`
 */
export function createJwsSigner(alg: SigningAlgorithm, kid: string, key: KeyObject): JwsSigner {
  const header = b64(JSON.stringify({ alg, kid, typ: "at+jwt" }));
  // JWS carries ECDSA signatures as raw r||s, not DER (RFC 7518 §3.4); Ed25519 hashes internally.
  const digest = alg === "EdDSA" ? null : "sha256";
  const signKey = alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" as const } : key;
  return (claims) => {
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
      throw new TypeError("sign(): claims must be a JSON object");
    }
    const input = `${header}.${b64(JSON.stringify(claims))}`;
    return `${input}.${sign(digest, Buffer.from(input), signKey).toString("base64url")}`;
  };
}
