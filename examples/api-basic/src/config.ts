import { clerk, createVerifier, type Verifier } from "@gatehouse/core";
import { loadDevKeys } from "./dev-keys.js";

/** The issuer the development tokens claim. */
export const DEV_ISSUER = "https://clerk.dev.local";
/** The origin the development tokens are issued to. */
export const DEV_ORIGIN = "http://localhost:3000";

/**
 * The verifier: your real Clerk instance when `CLERK_JWT_KEY` (the PEM public
 * key from the Clerk dashboard) is set, otherwise the local development keys.
 */
export function createAppVerifier(env: NodeJS.ProcessEnv = process.env): Verifier {
  const authorizedParties = (env.CLERK_AUTHORIZED_PARTIES ?? DEV_ORIGIN)
    .split(",")
    .map((s) => s.trim());
  if (env.CLERK_JWT_KEY) {
    return createVerifier({ issuers: [clerk({ jwtKey: env.CLERK_JWT_KEY, authorizedParties })] });
  }
  const keys = loadDevKeys();
  return createVerifier({
    issuers: [clerk({ jwtKey: keys.publicKeyPem, issuer: DEV_ISSUER, authorizedParties })],
  });
}
