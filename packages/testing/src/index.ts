export type {
  ClerkOrgOptions,
  ClerkSessionTokenVersion,
  ClerkTokenOptions,
} from "./clerk-claims.js";
export { buildClerkClaims } from "./clerk-claims.js";
export type { Clock, FakeClock } from "./clock.js";
export { createFakeClock, FAKE_CLOCK_START_MS, nowSec } from "./clock.js";
export type { JwksServer, JwksSource, ServeJwksOptions } from "./jwks-server.js";
export { serveJwks } from "./jwks-server.js";
export type {
  GenerateTestKeysOptions,
  TestKeyAlgorithm,
  TestKeys,
  TestPublicJwk,
} from "./keys.js";
export { generateTestKeys } from "./keys.js";
export type { MintTokenOptions } from "./mint.js";
export { mintToken } from "./mint.js";
export { mintClerkToken } from "./mint-clerk.js";
export type { RawJwtAlgorithm, SignRawJwtOptions } from "./raw.js";
export { base64url, signRawJwt } from "./raw.js";
