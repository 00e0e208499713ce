import { buildClerkClaims, type ClerkTokenOptions } from "./clerk-claims.js";
import type { TestKeys } from "./keys.js";
import { mintToken } from "./mint.js";

/**
 * Mint a Clerk-shaped session token (v1 or v2 claims) signed with test keys.
 *
 * With RS256 keys (the default of {@link generateTestKeys}) the token verifies with Clerk's own
 * `verifyToken(token, { jwtKey: keys.publicKeyPem })`, networklessly, and with any JWKS
 * verifier given `keys.jwks`. Claims are built by {@link buildClerkClaims}.
 *
 * @param keys - Keys from {@link generateTestKeys}.
 * @param options - Session, organization, billing and header shape of the token.
 * @returns The compact JWS.
 * @throws TypeError on malformed options (see {@link buildClerkClaims}).
 * @see https://clerk.com/docs/guides/sessions/session-tokens
 * @example
 * ```ts
 * const keys = generateTestKeys();
 * const token = await mintClerkToken(keys, {
 *   userId: "user_42",
 *   org: { id: "org_1", slug: "acme", role: "org:admin", permissions: ["org:invoices:read"] },
 *   features: ["u:beta"],
 * });
 * ```
 */
export async function mintClerkToken(
  keys: TestKeys,
  options: ClerkTokenOptions = {},
): Promise<string> {
  return mintToken(keys, buildClerkClaims(options), {
    clock: options.clock,
    header: options.header,
  });
}
