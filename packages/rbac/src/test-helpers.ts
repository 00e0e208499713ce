/**
 * Internal: real AuthContexts for the tests of this package (Clerk v1/v2
 * tokens and self-issued tokens, verified by core).
 *
 * @packageDocumentation
 */
import { type AuthContext, clerk, createVerifier, jwks } from "@gatehouse/core";
import {
  type ClerkTokenOptions,
  createFakeClock,
  generateTestKeys,
  mintClerkToken,
  mintToken,
} from "@gatehouse/testing";

const keys = generateTestKeys();
export const SELF_ISSUER = "https://self.test.local";
export const clock = createFakeClock();
const verifier = createVerifier({
  issuers: [
    clerk({ jwtKey: keys.publicKeyPem, issuer: "https://clerk.test.local" }),
    jwks({ issuer: SELF_ISSUER, jwks: keys.jwks }),
  ],
  clock,
  cache: false,
});

/** A verified context of a Clerk session token (v2 unless `version: 1`). */
export async function clerkAuth(options: ClerkTokenOptions = {}): Promise<AuthContext> {
  return verifier.verify(await mintClerkToken(keys, { clock, ...options }));
}

/** A verified context of a self-issued token (or API-key JWT) with these claims. */
export async function selfAuth(claims: Record<string, unknown>): Promise<AuthContext> {
  return verifier.verify(
    await mintToken(keys, { iss: SELF_ISSUER, sub: "user_self", ...claims }, { clock }),
  );
}
