/**
 * The session services and tokens the sessions bench measures: one `createSessions()` per
 * algorithm, on memory stores unless given others, and sessions shaped like a real sign-in
 * (organization, `fva`, an email claim), whose access tokens carry a ~390-byte payload.
 */
import {
  createPublicKey,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import type { KeyValueStore, RecordStore } from "@gatehouse/core/store";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { type CreateSessionInput, createSessions, type Sessions } from "@gatehouse/sessions";

/** The algorithms `createSessions()` can sign access tokens with; RS256 is the default. */
export const ALGORITHMS = ["RS256", "ES256", "EdDSA"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export const ISSUER = "https://app.example.com";
const SECRET = "bench-secret-bench-secret-bench-secret-0123456789";

/** A session service for `algorithm`, on memory stores unless `stores` are given. */
export function benchSessions(
  algorithm: Algorithm,
  stores?: { records: RecordStore; kv: KeyValueStore },
): Sessions {
  return createSessions({
    records: stores?.records ?? createMemoryRecordStore(),
    kv: stores?.kv ?? createMemoryKeyValueStore(),
    issuer: ISSUER,
    secret: SECRET,
    authorizedParties: [ISSUER],
    accessToken: { algorithm },
  });
}

/** The user id of session number `n`. */
export const userIdOf = (n: number) => `user_2pXkQ7tLmN3vB8wZ4y${String(n).padStart(8, "0")}`;

/** A sign-in as an app makes it: a Clerk-shaped user id, an organization, `fva`, an email. */
export function signIn(n: number): CreateSessionInput {
  return {
    userId: userIdOf(n),
    organization: {
      id: "org_2pXkQ9aBcD4eF5gH6iJ7kL8mN",
      slug: "acme",
      role: "org:admin",
      permissions: ["org:invoices:read", "org:invoices:write"],
    },
    factorVerificationAge: [3, -1],
    claims: { email: `ada.lovelace+${n}@example.com` },
    authMethod: "password",
    ip: "203.0.113.7",
    userAgent:
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  };
}

/** `crypto.sign`/`crypto.verify` arguments of a JWS algorithm (RFC 7518 §3, RFC 8037). */
export function jwsParams(
  alg: Algorithm,
  key: KeyObject,
): { digest: string | null; key: KeyObject | { key: KeyObject; dsaEncoding: "ieee-p1363" } } {
  if (alg === "ES256") return { digest: "sha256", key: { key, dsaEncoding: "ieee-p1363" } };
  return { digest: alg === "EdDSA" ? null : "sha256", key };
}

/** The public key the service publishes, as one `KeyObject` (the ring holds a single key here). */
export async function publicKeyOf(sessions: Sessions): Promise<KeyObject> {
  const { keys } = await sessions.publicJwks();
  if (keys.length !== 1) throw new Error(`expected one published key, got ${keys.length}`);
  return createPublicKey({ key: keys[0] as JsonWebKey, format: "jwk" });
}

/**
 * The physical limit of verifying a compact JWS: split it, base64url-decode the signature,
 * one `crypto.verify` with a pre-imported key. No JSON, no claims (as `verify.ts`'s raw row).
 */
export function rawVerifier(alg: Algorithm, key: KeyObject): (token: string) => boolean {
  const { digest, key: verifyKey } = jwsParams(alg, key);
  return (token) => {
    const dot = token.lastIndexOf(".");
    const signature = Buffer.from(token.slice(dot + 1), "base64url");
    return cryptoVerify(digest, Buffer.from(token.slice(0, dot)), verifyKey, signature);
  };
}

/** Bytes of the decoded payload of a compact JWS. */
export function payloadBytes(token: string): number {
  return Buffer.from(token.split(".")[1]!, "base64url").length;
}
