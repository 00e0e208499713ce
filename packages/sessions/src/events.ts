/**
 * The events this package emits on the Gatehouse event bus. None carries a
 * token, a refresh token or an API key: only ids.
 *
 * @packageDocumentation
 */
import type { GeoLocation, RevocationReason } from "./types.js";

/** Data of `session.created`. */
export interface SessionCreatedEvent {
  readonly sessionId: string;
  readonly userId: string;
  readonly deviceId: string;
  /** First sign-in from this device (browser) for this user. */
  readonly newDevice: boolean;
  readonly authMethod: string | null;
  readonly ip: string | null;
}

/** Data of `session.refreshed`. */
export interface SessionRefreshedEvent {
  readonly sessionId: string;
  readonly userId: string;
  /** How many times the refresh token has now been rotated. */
  readonly generation: number;
}

/** Data of `session.revoked`. */
export interface SessionRevokedEvent {
  readonly sessionId: string;
  readonly userId: string;
  readonly reason: RevocationReason;
  /** Who revoked it: the user's id, an admin's id, or `system`. */
  readonly by: string;
}

/** Data of `session.reuse_detected`: a rotated refresh token came back; the session is revoked. */
export interface SessionReuseDetectedEvent {
  readonly sessionId: string;
  readonly userId: string;
  /** Address of the request that presented the old token. */
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** Data of `session.expired`: a refresh came after the idle timeout or the absolute lifetime. */
export interface SessionExpiredEvent {
  readonly sessionId: string;
  readonly userId: string;
  readonly why: "idle" | "absolute";
}

/** Data of `session.new_device`: send the "new sign-in" notification from here. */
export interface SessionNewDeviceEvent {
  readonly userId: string;
  readonly sessionId: string;
  readonly deviceId: string;
  /** The user's first device ever (a sign-up, usually): often not worth a notification. */
  readonly firstDevice: boolean;
  readonly browser: string | null;
  readonly os: string | null;
  readonly deviceType: string | null;
  readonly ip: string | null;
  readonly location: GeoLocation | null;
}

/** Data of `device.trusted` and `device.untrusted`. */
export interface DeviceTrustEvent {
  readonly userId: string;
  readonly deviceId: string;
}

/** Data of `api_key.created`. */
export interface ApiKeyCreatedEvent {
  readonly keyId: string;
  readonly subject: string;
  readonly kind: "secret" | "publishable";
  readonly scopes: readonly string[];
  readonly createdBy: string | null;
}

/** Data of `api_key.rotated`. */
export interface ApiKeyRotatedEvent {
  readonly keyId: string;
  readonly newKeyId: string;
  readonly subject: string;
  /** When the old key stops working (epoch ms). */
  readonly overlapUntil: number;
}

/** Data of `api_key.revoked`. */
export interface ApiKeyRevokedEvent {
  readonly keyId: string;
  readonly subject: string;
  readonly by: string | null;
}

/** Data of `signing_key.rotated`. */
export interface SigningKeyRotatedEvent {
  /** The new key, published now and signing from `activatesAt`. */
  readonly kid: string;
  readonly activatesAt: number;
}

declare module "@gatehouse/core" {
  interface GatehouseEvents {
    /** A session was created (`@gatehouse/sessions`). */
    "session.created": SessionCreatedEvent;
    /** A refresh token was rotated. */
    "session.refreshed": SessionRefreshedEvent;
    /** A session was signed out or revoked. */
    "session.revoked": SessionRevokedEvent;
    /** A rotated refresh token was presented again: likely theft; the session is revoked. */
    "session.reuse_detected": SessionReuseDetectedEvent;
    /** A refresh was refused because the session timed out. */
    "session.expired": SessionExpiredEvent;
    /** A user signed in from a device not seen before. */
    "session.new_device": SessionNewDeviceEvent;
    "device.trusted": DeviceTrustEvent;
    "device.untrusted": DeviceTrustEvent;
    "api_key.created": ApiKeyCreatedEvent;
    "api_key.rotated": ApiKeyRotatedEvent;
    "api_key.revoked": ApiKeyRevokedEvent;
    /** A new access-token signing key was created. */
    "signing_key.rotated": SigningKeyRotatedEvent;
  }
}
