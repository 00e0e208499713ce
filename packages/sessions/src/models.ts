/**
 * The RecordStore models this package declares. Register them with your
 * adapter (`createSqliteStore(file, { models: sessionModels })`) and migrate.
 *
 * @packageDocumentation
 */
import { defineModel } from "@gatehouse/core/store";

/** One signed-in session (`gh_session`): who, from where, until when, and its current refresh token. */
export const sessionModel = defineModel({
  name: "gh_session",
  fields: {
    userId: { type: "string", required: true, indexed: true },
    /** `active`, `revoked` or `expired`. */
    status: { type: "string", required: true },
    /** SHA-256 (base64url) of the current refresh token. */
    refreshHash: { type: "string", unique: true },
    /** SHA-256 of the refresh token it replaced, honoured during the grace period. */
    previousRefreshHash: { type: "string", unique: true },
    /** When the refresh token was last rotated. */
    rotatedAt: { type: "timestamp" },
    /** How many times the refresh token was rotated. */
    generation: { type: "integer", required: true },
    lastActiveAt: { type: "timestamp", required: true },
    /** Absolute end of the session, whatever its activity. */
    expiresAt: { type: "timestamp", required: true },
    /** End of the session if it stays idle (slides with each refresh). */
    idleExpiresAt: { type: "timestamp", required: true },
    revokedAt: { type: "timestamp" },
    revokedReason: { type: "string" },
    /** Who revoked it: the user, an admin's id, or `system`. */
    revokedBy: { type: "string" },
    ip: { type: "string" },
    userAgent: { type: "string" },
    browser: { type: "string" },
    os: { type: "string" },
    deviceType: { type: "string" },
    /** `{ country, region, city }` from the host's geolocation lookup. */
    location: { type: "json" },
    /** The `gh_device` record this session signed in from. */
    deviceId: { type: "string", indexed: true },
    /** How the user signed in (`password`, `passkey`, `magic_link`, …). */
    authMethod: { type: "string" },
    /** Claims carried into every access token: `org`, `fva`, `act`, custom claims. */
    tokenClaims: { type: "json" },
    /** `${userId}#${n}` while active under a session limit: unique, so concurrent sign-ins cannot exceed it. */
    slot: { type: "string", unique: true },
  },
});

/** A refresh token that was rotated away (`gh_refresh_used`): presenting it again is theft. */
export const usedRefreshTokenModel = defineModel({
  name: "gh_refresh_used",
  fields: {
    /** SHA-256 (base64url) of the used refresh token. */
    hash: { type: "string", required: true, unique: true },
    sessionId: { type: "string", required: true, indexed: true },
    /** When the session ends: the record is useless after it. */
    expiresAt: { type: "timestamp", required: true, indexed: true },
  },
});

/** A browser or app a user signed in from (`gh_device`), recognised by a signed cookie. */
export const deviceModel = defineModel({
  name: "gh_device",
  fields: {
    userId: { type: "string", required: true, indexed: true },
    /** `${browserId}/${userId}`: one device record per user per browser. */
    deviceKey: { type: "string", required: true, unique: true },
    trusted: { type: "boolean", required: true },
    trustedAt: { type: "timestamp" },
    lastSeenAt: { type: "timestamp", required: true },
    lastIp: { type: "string" },
    lastLocation: { type: "json" },
    browser: { type: "string" },
    os: { type: "string" },
    deviceType: { type: "string" },
    userAgent: { type: "string" },
  },
});

/** A key the app signs access tokens with (`gh_signing_key`); the private half is encrypted. */
export const signingKeyModel = defineModel({
  name: "gh_signing_key",
  fields: {
    kid: { type: "string", required: true, unique: true },
    /** Rotation slot: unique, so two instances rotating at once create one key. */
    generation: { type: "integer", required: true, unique: true },
    alg: { type: "string", required: true },
    publicJwk: { type: "json", required: true },
    /** AES-256-GCM ciphertext of the PKCS#8 private key, under a key derived from `secret`. */
    privateKey: { type: "string", required: true },
    /** When it starts signing (it is published before, so caches learn it first). */
    activatesAt: { type: "timestamp", required: true },
    /** When a newer key took over, once known. */
    retiredAt: { type: "timestamp" },
  },
});

/** An API key (`gh_api_key`): its secret is never stored, only a keyed hash. */
export const apiKeyModel = defineModel({
  name: "gh_api_key",
  fields: {
    /** The non-secret lookup part of the key. */
    lookupId: { type: "string", required: true, unique: true },
    /** HMAC-SHA-256 of the whole key under a key derived from `secret`. */
    hash: { type: "string", required: true },
    /** `secret` or `publishable`. */
    kind: { type: "string", required: true },
    /** User or organization the key acts for. */
    subject: { type: "string", required: true, indexed: true },
    orgId: { type: "string" },
    name: { type: "string", required: true },
    scopes: { type: "json", required: true },
    /** The first characters of the key, shown in lists (`gh_sk_AbC1…`). */
    displayPrefix: { type: "string", required: true },
    expiresAt: { type: "timestamp" },
    lastUsedAt: { type: "timestamp" },
    revokedAt: { type: "timestamp" },
    revokedBy: { type: "string" },
    createdBy: { type: "string" },
    /** The key this one replaced by rotation. */
    rotatedFrom: { type: "string" },
    /** The key that replaced this one. */
    rotatedTo: { type: "string" },
  },
});

/** Every model of `@gatehouse/sessions`, to register with a store adapter. */
export const sessionModels = Object.freeze([
  sessionModel,
  usedRefreshTokenModel,
  deviceModel,
  signingKeyModel,
  apiKeyModel,
]);
