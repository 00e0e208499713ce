/**
 * Sessions the app controls: short-lived self-issued access tokens verified
 * offline by the core verifier, rotating refresh tokens with theft detection,
 * a session and device registry, revocation in about a second on every
 * instance, per-user limits, and API keys — in the host's own storage.
 *
 * @packageDocumentation
 */
import "./events.js";

export type {
  ApiKeyCreatedEvent,
  ApiKeyRevokedEvent,
  ApiKeyRotatedEvent,
  DeviceTrustEvent,
  SessionCreatedEvent,
  SessionExpiredEvent,
  SessionNewDeviceEvent,
  SessionRefreshedEvent,
  SessionReuseDetectedEvent,
  SessionRevokedEvent,
  SigningKeyRotatedEvent,
} from "./events.js";
export {
  apiKeyModel,
  deviceModel,
  sessionModel,
  sessionModels,
  signingKeyModel,
  usedRefreshTokenModel,
} from "./models.js";
export type { SessionsOptions } from "./options.js";
export { createSessions } from "./sessions.js";
export type {
  ApiKeyInfo,
  ApiKeys,
  CreateApiKeyInput,
  CreatedApiKey,
  CreateSessionInput,
  DeviceInfo,
  GeoLocation,
  IssuedSession,
  ListSessionsOptions,
  RequestFacts,
  RevocationReason,
  RevokeOptions,
  SessionInfo,
  SessionOrganization,
  SessionSettings,
  Sessions,
  SigningKeyInfo,
  SigningKeys,
} from "./types.js";
