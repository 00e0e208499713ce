import { type AuthContext, clerk, createVerifier, jwks, type Verifier } from "@gatehouse/core";
import {
  base64url,
  createFakeClock,
  generateTestKeys,
  mintClerkToken,
  nowSec,
  signRawJwt,
  type TestKeys,
} from "@gatehouse/testing";

/** The trusted Clerk instance of the hostile-token suite. */
export const CLERK_ISS = "https://clerk.test.local";
/** A second, generic OIDC issuer (ES256, audience-bound). */
export const IDP_ISS = "https://idp.test.local";
export const APP_ORIGIN = "http://localhost:3000";

export const clock = createFakeClock();
export const clerkKeys: TestKeys = generateTestKeys({ alg: "RS256", kid: "ins_clerk_1" });
export const idpKeys: TestKeys = generateTestKeys({ alg: "ES256", kid: "idp_1" });
/** The attacker's own keys: same shapes, never trusted. */
export const attackerRsa: TestKeys = generateTestKeys({ alg: "RS256", kid: "ins_clerk_1" });
export const attackerEc: TestKeys = generateTestKeys({ alg: "ES256", kid: "idp_1" });

/** A verifier trusting the Clerk instance (by PEM) and the IdP (by JWKS document). */
export function makeVerifier(options: { authorizedParties?: string[] } = {}): Verifier {
  return createVerifier({
    clock,
    issuers: [
      clerk({
        jwtKey: clerkKeys.publicKeyPem,
        issuer: CLERK_ISS,
        authorizedParties: options.authorizedParties ?? [APP_ORIGIN],
      }),
      jwks({
        issuer: IDP_ISS,
        jwks: idpKeys.jwks,
        audience: "api://orders",
        algorithms: ["ES256"],
      }),
    ],
  });
}

/** Valid Clerk session claims at the fake clock's now. */
export function clerkClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSec(clock);
  return {
    iss: CLERK_ISS,
    sub: "user_victim",
    sid: "sess_victim",
    azp: APP_ORIGIN,
    iat: now,
    nbf: now - 10,
    exp: now + 60,
    v: 2,
    fva: [0, -1],
    ...overrides,
  };
}

/** The header Clerk puts on its tokens. */
export const clerkHeader = { alg: "RS256", kid: clerkKeys.kid, typ: "JWT" };

/** Signs `payload` under `header` with the real Clerk key: only the named defect is wrong. */
export function clerkSigned(
  payload: Record<string, unknown> = clerkClaims(),
  header: Record<string, unknown> = clerkHeader,
): string {
  return signRawJwt({ header, payload, key: clerkKeys.privateKey, alg: "RS256" });
}

/** Signs raw segments with the real Clerk key. */
export function clerkSignedSegments(headerSegment: string, payloadSegment: string): string {
  return signRawJwt({ headerSegment, payloadSegment, key: clerkKeys.privateKey, alg: "RS256" });
}

export const b64 = base64url;
export const json = (value: unknown): string => base64url(JSON.stringify(value));

/** A valid token, to prove the fixtures accept what they should. */
export function validClerkToken(): Promise<string> {
  return mintClerkToken(clerkKeys, { issuer: CLERK_ISS, azp: APP_ORIGIN, clock });
}

export type { AuthContext };
