/**
 * Options of `createSessions()`, validated once at start-up.
 *
 * @packageDocumentation
 */
import { type Clock, type EventBus, parseOptions } from "@gatehouse/core";
import type { KeyValueStore, RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import type { GeoLocation, SessionInfo } from "./types.js";

/** Options of `createSessions()`. */
export interface SessionsOptions {
  /** Durable storage for sessions, devices, signing keys and API keys (register `sessionModels`). */
  readonly records: RecordStore;
  /** Shared ephemeral storage: the revocation list, refresh grace copies. Every instance must share it. */
  readonly kv: KeyValueStore;
  /** The `iss` of access tokens: your app's URL, e.g. `https://app.example.com`. */
  readonly issuer: string;
  /**
   * At least 32 characters of secret randomness: encrypts the signing keys at
   * rest, keys the API-key hashes and signs device cookies. Give a list to
   * rotate: the first is used, all are accepted.
   */
  readonly secret: string | readonly string[];
  /** `aud` of access tokens, checked by `issuer()`. @default none */
  readonly audience?: string;
  /** Origins the tokens may be used from (`azp`); needed for cookie transport. @default [] */
  readonly authorizedParties?: readonly string[];
  /** Where `session.*` and `api_key.*` events go. @default none */
  readonly events?: EventBus;
  /** @default the system clock */
  readonly clock?: Clock;
  readonly accessToken?: {
    /** Lifetime of an access token. @default 300 */
    readonly ttlSec?: number;
    /**
     * Signature algorithm. RS256 verifies fastest (the hot path: every
     * request); EdDSA and ES256 sign faster and give shorter tokens. @default "RS256"
     */
    readonly algorithm?: "RS256" | "ES256" | "EdDSA";
    /** Extra claims for each access token, computed at issue time. @default none */
    readonly claims?: (
      session: SessionInfo,
    ) => Readonly<Record<string, unknown>> | Promise<Readonly<Record<string, unknown>>>;
  };
  readonly signingKeys?: {
    /** How long a key signs before the next takes over. @default 2592000 (30 days) */
    readonly rotateEverySec?: number;
    /** How long a new key is published before it signs. @default 600 */
    readonly publishAheadSec?: number;
  };
  readonly refresh?: {
    /** A session idle (not refreshed) this long ends. @default 604800 (7 days) */
    readonly idleTimeoutSec?: number;
    /** A session ends this long after sign-in, however active. @default 2592000 (30 days) */
    readonly absoluteLifetimeSec?: number;
    /**
     * Seconds after a rotation during which the old refresh token yields the
     * same new refresh token instead of counting as reuse (two tabs refreshing
     * at once). `0` makes every reuse revoke the session. @default 10
     */
    readonly reuseGraceSec?: number;
  };
  readonly limits?: {
    /** Most active sessions a user may hold. @default unlimited */
    readonly maxSessionsPerUser?: number;
    /** What a sign-in beyond the limit does. @default "evict_oldest" */
    readonly onLimit?: "evict_oldest" | "refuse";
  };
  /** `lastActiveAt` is written at most this often per session. @default 60 */
  readonly activityWriteIntervalSec?: number;
  /** Looks an IP up (your GeoIP database); failures and slow answers are ignored. @default none */
  readonly geolocate?: (ip: string) => Promise<GeoLocation | null | undefined>;
  /** Milliseconds `geolocate` may take before it is ignored. @default 500 */
  readonly geolocateTimeoutMs?: number;
  readonly revocation?: {
    /** Age of the local revocation copy after which it is refreshed in the background. @default 250 */
    readonly refreshAfterMs?: number;
    /** Age after which a request waits for a refresh; the bound on how late a revocation lands. @default 1000 */
    readonly maxStalenessMs?: number;
    /** Accept tokens while the store cannot be read, instead of answering 503. @default false */
    readonly failOpen?: boolean;
  };
  readonly apiKeys?: {
    /** Key prefix: keys read `<prefix>_sk_…` and `<prefix>_pk_…`. @default "gh" */
    readonly prefix?: string;
    /** Seconds a verified key is cached per instance. @default 60 */
    readonly cacheTtlSec?: number;
    /** `lastUsedAt` is written at most this often per key. @default 300 */
    readonly lastUsedWriteIntervalSec?: number;
    /** Most active keys per subject. @default 100 */
    readonly maxKeysPerSubject?: number;
  };
  /** Ended sessions and used refresh tokens are kept this long, then `sweep()` deletes them. @default 2592000 */
  readonly retentionSec?: number;
  /** Lifetime of the device cookie. @default 31536000 (1 year) */
  readonly deviceCookieMaxAgeSec?: number;
}

const fn = <T>() => z.custom<T>((v) => typeof v === "function");
const seconds = (max: number) => z.number().int().min(1).max(max);
const DAY = 86_400;

const schema = z.strictObject({
  records: z.custom<RecordStore>((v) => typeof (v as RecordStore)?.findOne === "function"),
  kv: z.custom<KeyValueStore>((v) => typeof (v as KeyValueStore)?.setIfAbsent === "function"),
  issuer: z.string().min(1).max(512),
  secret: z.union([
    z.string().min(32, "must be at least 32 characters"),
    z.array(z.string().min(32, "must be at least 32 characters")).min(1),
  ]),
  audience: z.string().min(1).optional(),
  authorizedParties: z.array(z.url()).optional(),
  events: z.custom<EventBus>((v) => typeof (v as EventBus)?.emit === "function").optional(),
  clock: z.custom<Clock>((v) => typeof (v as Clock)?.now === "function").optional(),
  accessToken: z
    .strictObject({
      ttlSec: z.number().int().min(30).max(3600).optional(),
      algorithm: z.enum(["RS256", "ES256", "EdDSA"]).optional(),
      claims: fn<NonNullable<SessionsOptions["accessToken"]>["claims"]>().optional(),
    })
    .optional(),
  signingKeys: z
    .strictObject({
      rotateEverySec: seconds(365 * DAY)
        .min(3600)
        .optional(),
      publishAheadSec: z
        .number()
        .int()
        .min(0)
        .max(7 * DAY)
        .optional(),
    })
    .optional(),
  refresh: z
    .strictObject({
      idleTimeoutSec: seconds(400 * DAY)
        .min(60)
        .optional(),
      absoluteLifetimeSec: seconds(400 * DAY)
        .min(60)
        .optional(),
      reuseGraceSec: z.number().int().min(0).max(60).optional(),
    })
    .optional(),
  limits: z
    .strictObject({
      maxSessionsPerUser: z.number().int().min(1).max(1000).optional(),
      onLimit: z.enum(["evict_oldest", "refuse"]).optional(),
    })
    .optional(),
  activityWriteIntervalSec: z.number().int().min(0).max(DAY).optional(),
  geolocate: fn<NonNullable<SessionsOptions["geolocate"]>>().optional(),
  geolocateTimeoutMs: z.number().int().min(1).max(10_000).optional(),
  revocation: z
    .strictObject({
      refreshAfterMs: z.number().int().min(10).max(60_000).optional(),
      maxStalenessMs: z.number().int().min(50).max(300_000).optional(),
      failOpen: z.boolean().optional(),
    })
    .optional(),
  apiKeys: z
    .strictObject({
      prefix: z
        .string()
        .regex(/^[a-z][a-z0-9]{0,15}$/)
        .optional(),
      cacheTtlSec: z.number().int().min(0).max(3600).optional(),
      lastUsedWriteIntervalSec: z.number().int().min(0).max(DAY).optional(),
      maxKeysPerSubject: z.number().int().min(1).max(10_000).optional(),
    })
    .optional(),
  retentionSec: z
    .number()
    .int()
    .min(0)
    .max(3650 * DAY)
    .optional(),
  deviceCookieMaxAgeSec: seconds(400 * DAY).optional(),
});

/** The options with every default applied. */
export interface ResolvedOptions {
  readonly records: RecordStore;
  readonly kv: KeyValueStore;
  readonly issuer: string;
  readonly secrets: readonly string[];
  readonly audience: string | undefined;
  readonly authorizedParties: readonly string[];
  readonly events: EventBus | undefined;
  readonly clock: Clock | undefined;
  readonly accessTokenTtlSec: number;
  readonly algorithm: "RS256" | "ES256" | "EdDSA";
  readonly claims: NonNullable<SessionsOptions["accessToken"]>["claims"];
  readonly rotateEverySec: number;
  readonly publishAheadSec: number;
  readonly idleTimeoutSec: number;
  readonly absoluteLifetimeSec: number;
  readonly reuseGraceSec: number;
  readonly maxSessionsPerUser: number | undefined;
  readonly onLimit: "evict_oldest" | "refuse";
  readonly activityWriteIntervalSec: number;
  readonly geolocate: SessionsOptions["geolocate"];
  readonly geolocateTimeoutMs: number;
  readonly revocation: NonNullable<SessionsOptions["revocation"]>;
  readonly apiKeyPrefix: string;
  readonly apiKeyCacheTtlSec: number;
  readonly apiKeyLastUsedWriteIntervalSec: number;
  readonly maxKeysPerSubject: number;
  readonly retentionSec: number;
  readonly deviceCookieMaxAgeSec: number;
}

/** Validates `createSessions()` options and applies defaults. */
export function resolveOptions(options: SessionsOptions): ResolvedOptions {
  const o = parseOptions("createSessions()", schema, options);
  return Object.freeze({
    records: o.records,
    kv: o.kv,
    issuer: o.issuer,
    secrets: Object.freeze(typeof o.secret === "string" ? [o.secret] : [...o.secret]),
    audience: o.audience,
    authorizedParties: Object.freeze([...(o.authorizedParties ?? [])]),
    events: o.events,
    clock: o.clock,
    accessTokenTtlSec: o.accessToken?.ttlSec ?? 300,
    algorithm: o.accessToken?.algorithm ?? "RS256",
    claims: o.accessToken?.claims,
    rotateEverySec: o.signingKeys?.rotateEverySec ?? 30 * DAY,
    publishAheadSec: o.signingKeys?.publishAheadSec ?? 600,
    idleTimeoutSec: o.refresh?.idleTimeoutSec ?? 7 * DAY,
    absoluteLifetimeSec: o.refresh?.absoluteLifetimeSec ?? 30 * DAY,
    reuseGraceSec: o.refresh?.reuseGraceSec ?? 10,
    maxSessionsPerUser: o.limits?.maxSessionsPerUser,
    onLimit: o.limits?.onLimit ?? "evict_oldest",
    activityWriteIntervalSec: o.activityWriteIntervalSec ?? 60,
    geolocate: o.geolocate,
    geolocateTimeoutMs: o.geolocateTimeoutMs ?? 500,
    revocation: Object.freeze({ ...(o.revocation ?? {}) }),
    apiKeyPrefix: o.apiKeys?.prefix ?? "gh",
    apiKeyCacheTtlSec: o.apiKeys?.cacheTtlSec ?? 60,
    apiKeyLastUsedWriteIntervalSec: o.apiKeys?.lastUsedWriteIntervalSec ?? 300,
    maxKeysPerSubject: o.apiKeys?.maxKeysPerSubject ?? 100,
    retentionSec: o.retentionSec ?? 30 * DAY,
    deviceCookieMaxAgeSec: o.deviceCookieMaxAgeSec ?? 365 * DAY,
  });
}
