/**
 * The public shapes of `@gatehouse/sessions`: what the service takes and returns.
 *
 * @packageDocumentation
 */
import type {
  Actor,
  ApiKeyResolver,
  FactorVerificationAge,
  Issuer,
  JsonWebKeySet,
  OpaqueIssuer,
  RevocationCheck,
} from "@gatehouse/core";
import type { Page } from "@gatehouse/core/store";

/** Why a session ended early. */
export type RevocationReason =
  /** The user signed out of this session. */
  | "signed_out"
  /** The user signed out of all their other sessions. */
  | "signed_out_elsewhere"
  /** An admin (or the app) forced the sign-out. */
  | "admin"
  /** A rotated refresh token was presented again (theft detection). */
  | "refresh_token_reused"
  /** Evicted to make room under `limits.maxSessionsPerUser`. */
  | "session_limit"
  /** Revoked by id through the API. */
  | "revoked";

/** Where a request came from, as the host's lookup places it. */
export interface GeoLocation {
  readonly country?: string;
  readonly region?: string;
  readonly city?: string;
}

/** The request facts a session records. Give what you have; nothing is required. */
export interface RequestFacts {
  /** Client IP (as your proxy settings resolve it, e.g. Express `req.ip`). */
  readonly ip?: string | null;
  /** The `User-Agent` header. */
  readonly userAgent?: string | null;
}

/** The active organization carried into access tokens (Clerk v1 claim names). */
export interface SessionOrganization {
  readonly id: string;
  readonly slug?: string;
  /** e.g. `org:admin`. */
  readonly role?: string;
  /** e.g. `["org:invoices:read"]`. */
  readonly permissions?: readonly string[];
}

/** Input of {@link Sessions.create}: the user who just proved who they are. */
export interface CreateSessionInput extends RequestFacts {
  readonly userId: string;
  /** The device cookie the browser sent (`sessions.deviceCookieName`), to recognise it. */
  readonly deviceToken?: string | null;
  /** How the user signed in, recorded and emitted (`password`, `passkey`, …). */
  readonly authMethod?: string;
  readonly organization?: SessionOrganization | null;
  /** Minutes since first and second factor verification (`fva`); `-1` when a factor was not used. */
  readonly factorVerificationAge?: FactorVerificationAge | null;
  /** The impersonator, for impersonation sessions (`act`). */
  readonly actor?: Actor | null;
  /** Extra claims for every access token of this session (JSON; may not override registered claims). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The origin the tokens are issued to (`azp`); one of `authorizedParties`. @default the first of them */
  readonly origin?: string;
}

/** A session as the registry shows it (never its tokens). */
export interface SessionInfo {
  readonly id: string;
  readonly userId: string;
  readonly status: "active" | "revoked" | "expired";
  readonly createdAt: number;
  readonly lastActiveAt: number;
  /** Absolute end, epoch ms. */
  readonly expiresAt: number;
  /** End if it stays idle, epoch ms. */
  readonly idleExpiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedReason: RevocationReason | null;
  readonly revokedBy: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** e.g. `Chrome 131`. */
  readonly browser: string | null;
  /** e.g. `macOS 15.1`. */
  readonly os: string | null;
  /** `desktop`, `mobile`, `tablet`, `tv` or `bot`. */
  readonly deviceType: string | null;
  readonly location: GeoLocation | null;
  readonly deviceId: string | null;
  readonly authMethod: string | null;
  readonly orgId: string | null;
  /** How many times its refresh token was rotated. */
  readonly generation: number;
}

/** What {@link Sessions.create} and {@link Sessions.refresh} hand back: send it to the client. */
export interface IssuedSession {
  readonly session: SessionInfo;
  /** When this pair was issued (epoch ms), for cookie lifetimes. */
  readonly issuedAt: number;
  /** Short-lived JWT (`typ: at+jwt`). */
  readonly accessToken: string;
  readonly accessTokenExpiresAt: number;
  /** Opaque, single-use; rotate it with {@link Sessions.refresh}. */
  readonly refreshToken: string;
  /** When the refresh token stops working if unused (idle timeout, capped by the absolute lifetime). */
  readonly refreshTokenExpiresAt: number;
  /** Value of the signed device cookie to set; `null` on refresh (keep the cookie the client has). */
  readonly deviceToken: string | null;
  /** This user had never signed in from this device. */
  readonly newDevice: boolean;
}

/** A device (browser or app install) a user signed in from. */
export interface DeviceInfo {
  readonly id: string;
  readonly userId: string;
  readonly trusted: boolean;
  readonly trustedAt: number | null;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly lastIp: string | null;
  readonly lastLocation: GeoLocation | null;
  readonly browser: string | null;
  readonly os: string | null;
  readonly deviceType: string | null;
}

/** Options of {@link Sessions.revoke} and the other sign-out methods. */
export interface RevokeOptions {
  /** @default "revoked" (or the method's own reason) */
  readonly reason?: RevocationReason;
  /** Who did it: a user id, an admin id, or `system`. @default "system" */
  readonly by?: string;
}

/** Options of {@link Sessions.list}. */
export interface ListSessionsOptions {
  /** Include revoked and expired sessions. @default false */
  readonly includeEnded?: boolean;
  /** @default 50 */
  readonly limit?: number;
  readonly cursor?: string;
}

/** An API key as lists show it (never the key). */
export interface ApiKeyInfo {
  readonly id: string;
  readonly kind: "secret" | "publishable";
  readonly subject: string;
  readonly orgId: string | null;
  readonly name: string;
  readonly scopes: readonly string[];
  /** The first characters of the key (`gh_sk_AbC1…`), to recognise it. */
  readonly displayPrefix: string;
  readonly status: "active" | "expired" | "revoked";
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
  readonly createdBy: string | null;
  readonly rotatedFrom: string | null;
  readonly rotatedTo: string | null;
}

/** Input of {@link ApiKeys.create}. */
export interface CreateApiKeyInput {
  /** Whom the key acts for: a user id or an organization id. */
  readonly subject: string;
  readonly orgId?: string | null;
  /** @default "secret" */
  readonly kind?: "secret" | "publishable";
  /** A label the owner recognises (1–100 characters). */
  readonly name: string;
  /** Scopes granted, e.g. `invoices:read` (`[a-z0-9_:.*-]`, at most 50). @default [] */
  readonly scopes?: readonly string[];
  /** Lifetime in seconds. @default no expiry */
  readonly expiresInSec?: number;
  /** Who created it, for the record and the event. */
  readonly createdBy?: string;
}

/** A newly created key: `key` is shown once and never again. */
export interface CreatedApiKey {
  readonly key: string;
  readonly apiKey: ApiKeyInfo;
}

/** API keys in the host's store: created, listed, rotated, revoked. */
export interface ApiKeys {
  create(input: CreateApiKeyInput): Promise<CreatedApiKey>;
  get(id: string): Promise<ApiKeyInfo | undefined>;
  list(
    subject: string,
    options?: { includeEnded?: boolean; limit?: number; cursor?: string },
  ): Promise<Page<ApiKeyInfo>>;
  /**
   * Issues a replacement with the same subject, kind and scopes; the old key
   * keeps working for `overlapSec` (default 86400), then is refused.
   */
  rotate(id: string, options?: { overlapSec?: number; by?: string }): Promise<CreatedApiKey>;
  /** Revokes a key now; every instance refuses it within about a second. Resolves whether it was active. */
  revoke(id: string, options?: { by?: string }): Promise<boolean>;
  /** Looks keys up for the core `apiKeys()` issuer. */
  readonly resolver: ApiKeyResolver;
}

/** A signing key as the ring shows it (never the private half). */
export interface SigningKeyInfo {
  readonly kid: string;
  readonly alg: string;
  /** `next` (published, not yet signing), `active` (signing) or `retired` (published until its tokens expire). */
  readonly state: "next" | "active" | "retired";
  readonly createdAt: number;
  readonly activatesAt: number;
  readonly retiredAt: number | null;
}

/** The ring of keys access tokens are signed with. */
export interface SigningKeys {
  /** The public keys to publish: next, active and retired (RFC 7517 JWKS). */
  publicJwks(): Promise<JsonWebKeySet>;
  /** Signs a JWT with the active key (`typ: at+jwt`, `kid` set). */
  sign(claims: Readonly<Record<string, unknown>>): Promise<string>;
  /** Creates a new key now, published at once and signing after `publishAheadSec`; resolves it. */
  rotate(): Promise<SigningKeyInfo>;
  /** The keys in the ring. */
  list(): Promise<SigningKeyInfo[]>;
}

/** The session service `createSessions()` returns. */
export interface Sessions {
  /** Starts a session for a user who just signed in: tokens, device recognition, limits. */
  create(input: CreateSessionInput): Promise<IssuedSession>;
  /**
   * Rotates a refresh token into a new pair. A rotated token presented again
   * revokes the session (`refresh_token_reused`), except within `reuseGraceSec`
   * of its rotation, when the same new pair's refresh token is returned.
   */
  refresh(refreshToken: string, facts?: RequestFacts): Promise<IssuedSession>;
  get(sessionId: string): Promise<SessionInfo | undefined>;
  /** A user's sessions, newest first. */
  list(userId: string, options?: ListSessionsOptions): Promise<Page<SessionInfo>>;
  /** Revokes one session; its tokens are refused everywhere within about a second. Resolves whether it was active. */
  revoke(sessionId: string, options?: RevokeOptions): Promise<boolean>;
  /**
   * Revokes the session a refresh token belongs to (sign-out when the access
   * token has expired). Resolves false for an unknown token or an ended session.
   */
  revokeByRefreshToken(refreshToken: string, options?: RevokeOptions): Promise<boolean>;
  /** Signs a user out of every session but `keepSessionId`; resolves how many were revoked. */
  revokeOthers(userId: string, keepSessionId: string, options?: RevokeOptions): Promise<number>;
  /** Signs a user out everywhere (admin-forced sign-out); resolves how many were revoked. */
  revokeAll(userId: string, options?: RevokeOptions): Promise<number>;
  /** Records activity on a session (throttled to one write per `activity.writeIntervalSec`). */
  touch(sessionId: string, facts?: RequestFacts): Promise<void>;
  /** A user's devices, most recently seen first. */
  devices(userId: string): Promise<DeviceInfo[]>;
  /** Marks a device as trusted (or not) by its user. Resolves false if it is not theirs. */
  trustDevice(userId: string, deviceId: string, trusted: boolean): Promise<boolean>;
  /** Deletes ended sessions and used refresh tokens older than `retentionSec`; resolves how many records went. */
  sweep(): Promise<number>;
  readonly keys: SigningKeys;
  readonly apiKeys: ApiKeys;
  /** The public JWKS (for `local()` and the `/.well-known/jwks.json` route). */
  publicJwks(): Promise<JsonWebKeySet>;
  /** The shared revocation list, for `local()` and `apiKeys()`. */
  readonly revocations: RevocationCheck;
  /** A core `local()` issuer for these sessions' access tokens. */
  issuer(): Issuer;
  /** A core `apiKeys()` issuer for these API keys. */
  apiKeyIssuer(): OpaqueIssuer;
  /** Resolved settings transports need. */
  readonly settings: SessionSettings;
}

/** Resolved settings, read by the Express transport. */
export interface SessionSettings {
  readonly issuer: string;
  readonly accessTokenTtlSec: number;
  readonly idleTimeoutSec: number;
  readonly absoluteLifetimeSec: number;
  readonly authorizedParties: readonly string[];
  readonly deviceCookieMaxAgeSec: number;
}
