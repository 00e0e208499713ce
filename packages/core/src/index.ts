export type {
  AuthContext,
  CredentialSource,
  SignedInAuthContext,
  SignedInFields,
  SignedOutAuthContext,
  TokenType,
} from "./auth-context.js";
export { signedIn, signedOut } from "./auth-context.js";
export type { AuthorizationCheck, ReverificationConfig } from "./authorization.js";
export { checkAuthorization, REVERIFICATION_PRESETS } from "./authorization.js";
export type {
  Actor,
  CustomClaims,
  FactorVerificationAge,
  RegisteredClaims,
  SessionClaims,
} from "./claims.js";
export { type Clock, systemClock } from "./clock.js";
export {
  ERROR_STATUS,
  GatehouseError,
  type GatehouseErrorCode,
  type GatehouseErrorOptions,
  isGatehouseError,
  StoreUnavailableError,
} from "./errors.js";
export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type EventEnvelope,
  type EventListener,
  type EventName,
  type GatehouseEvents,
} from "./events.js";
export {
  type ApiKeyGrant,
  type ApiKeyResolver,
  type ApiKeysIssuerOptions,
  apiKeys,
} from "./issuers/api-keys.js";
export { type ClerkIssuerOptions, clerk } from "./issuers/clerk.js";
export type {
  Issuer,
  KeySource,
  OpaqueIssuer,
  OpaqueVerification,
  RevocationCheck,
} from "./issuers/issuer.js";
export { type JwksIssuerOptions, jwks } from "./issuers/jwks.js";
export { type LocalIssuerOptions, local } from "./issuers/local.js";
export type { AsymmetricAlgorithm } from "./jwt/algorithms.js";
export type { JsonWebKeySet, VerificationKey } from "./keys/key-set.js";
export type { RemoteJwksOptions } from "./keys/remote-jwks.js";
export { parseInput, parseOptions } from "./options.js";
export { type Credential, type RequestLike, readCredential } from "./request.js";
export type {
  FindManyOptions,
  JsonValue,
  KeyValueStore,
  ModelSchema,
  Page,
  RecordStore,
  StoredRecord,
} from "./store.js";
export {
  createMemoryKeyValueStore,
  createMemoryRecordStore,
  defineModel,
  namespaced,
} from "./store.js";
export type { TokenCacheOptions } from "./token-cache.js";
export {
  createVerifier,
  type Verifier,
  type VerifierOptions,
  type VerifyOptions,
} from "./verifier.js";
