/**
 * The one token every benchmark verifies, and the settings every verifier is given.
 *
 * A Clerk v2 session token as Clerk issues it (RS256, 2048-bit key, `sub`, `sid`, `iss`,
 * `azp`, `iat`, `nbf = iat - 10`, `exp`, `v: 2`, `o: {id, slg, rol, per, fpm}`, `fea`,
 * `fva`), valid for an hour so every library accepts it for the whole run.
 */
import type { KeyObject } from "node:crypto";
import { generateTestKeys, mintClerkToken, type TestKeys } from "@gatehouse/testing";

/** Frontend API host of the fake instance; the publishable key encodes it. */
export const FRONTEND_API = "clerk.test.local";
/** `iss` of every token: `https://` + the Frontend API host, as Clerk sets it. */
export const ISSUER = `https://${FRONTEND_API}`;
/** A syntactically valid publishable key: `pk_test_` + base64("clerk.test.local$"). */
export const PUBLISHABLE_KEY = `pk_test_${Buffer.from(`${FRONTEND_API}$`).toString("base64")}`;
/** A syntactically valid secret key; it is never sent anywhere (networkless verification). */
export const SECRET_KEY = "sk_test_x";
/** The frontend origin that requested the token (`azp`), and the only authorized party. */
export const AZP = "https://app.example.com";
/** `aud` of the separate token minted for express-oauth2-jwt-bearer, which requires one. */
export const AUDIENCE = "https://api.example.com";
/** The signed-in user; every server answers `{"userId": USER_ID}` so bodies are identical. */
export const USER_ID = "user_2NNEqL2nrIRdJ194ndJqAHwEfxC";
/** Lifetime of the minted tokens: far beyond any run. */
const LIFETIME_SEC = 3600;

/** Keys and tokens shared by the verify and HTTP benchmarks. */
export interface BenchFixture {
  readonly keys: TestKeys;
  /** SPKI PEM of the public key (Clerk's `CLERK_JWT_KEY`). */
  readonly pem: string;
  /** The public key, imported once. */
  readonly publicKey: KeyObject;
  /** The Clerk-shaped session token. */
  readonly token: string;
  /** The same claims plus `aud`, for the verifier that insists on an audience. */
  readonly tokenWithAudience: string;
}

/** Generates a fresh RSA-2048 key and mints the benchmark tokens with it. */
export async function createFixture(): Promise<BenchFixture> {
  const keys = generateTestKeys({ alg: "RS256", kid: "ins_2NNEqKzuMQYG7aTcMtQDXcJKwN8" });
  const options = {
    userId: USER_ID,
    sessionId: "sess_2NNEqSpLqzZuBFk5lFqgVbHwnUD",
    issuer: ISSUER,
    azp: AZP,
    version: 2 as const,
    org: {
      id: "org_2NNEqVtG8Kf7hHr0Ff3hbZtZlTn",
      slug: "acme-corp",
      role: "org:admin",
      permissions: ["org:invoices:read", "org:invoices:write", "org:members:manage"],
    },
    features: ["u:beta"],
    fva: [12, -1] as [number, number],
    expiresInSec: LIFETIME_SEC,
  };
  const token = await mintClerkToken(keys, options);
  const tokenWithAudience = await mintClerkToken(keys, { ...options, claims: { aud: AUDIENCE } });
  return { keys, pem: keys.publicKeyPem, publicKey: keys.publicKey, token, tokenWithAudience };
}

/** Decodes the (unverified) payload of a compact JWS, for display. */
export function peekPayload(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}
