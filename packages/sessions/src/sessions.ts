/**
 * `createSessions()`: sessions the app controls, in its own storage.
 *
 * @packageDocumentation
 */
import {
  apiKeys,
  type Issuer,
  isGatehouseError,
  local,
  type OpaqueIssuer,
  parseInput,
  systemClock,
} from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { namespaced } from "@gatehouse/core/store";
import { z } from "zod";
import { checkCustomClaims, sessionClaims } from "./access-token.js";
import { createApiKeys } from "./api-keys/api-keys.js";
import type { SessionContext, SessionRecord } from "./context.js";
import { randomToken, SecretRing, sha256 } from "./crypto.js";
import { DeviceRegistry } from "./devices.js";
import { createKeyRing } from "./keys/key-ring.js";
import { findFreeSlot } from "./limits.js";
import { sessionModel } from "./models.js";
import { resolveOptions, type SessionsOptions } from "./options.js";
import { issue, newRefreshToken, refreshSession, sessionOfRefreshToken } from "./refresh.js";
import { RevocationList } from "./revocation-list.js";
import { revokeSession, revokeUserSessions } from "./revoke.js";
import { sessionInfo } from "./session-info.js";
import { sweepEnded } from "./sweep.js";
import type { CreateSessionInput, GeoLocation, RequestFacts, Sessions } from "./types.js";
import { clampUserAgent, parseUserAgent } from "./user-agent.js";

const id = z.string().min(1).max(255);
const inputSchema = z.object({
  userId: id,
  ip: z.string().max(64).nullish(),
  userAgent: z.string().nullish(),
  deviceToken: z.string().nullish(),
  authMethod: z.string().min(1).max(64).optional(),
  organization: z
    .object({
      id,
      slug: z.string().max(255).optional(),
      role: z.string().max(255).optional(),
      permissions: z.array(z.string().max(255)).max(500).optional(),
    })
    .nullish(),
  factorVerificationAge: z.tuple([z.number().int(), z.number().int()]).nullish(),
  actor: z.looseObject({ sub: id }).nullish(),
  claims: z
    .record(z.string(), z.unknown())
    .refine((c) => JSON.stringify(c).length <= 4096, "must serialise to at most 4096 bytes")
    .optional(),
  origin: z.string().optional(),
});

/**
 * Creates the session service: short-lived self-issued access tokens, rotating
 * refresh tokens with theft detection, a session and device registry,
 * revocation that reaches every instance within about a second, per-user
 * limits, and API keys — all in the host's own RecordStore and KeyValueStore.
 *
 * @example
 * ```ts
 * import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
 * import { createSessions } from "@gatehouse/sessions";
 *
 * const sessions = createSessions({
 *   records: createMemoryRecordStore(),
 *   kv: createMemoryKeyValueStore(),
 *   issuer: "https://app.example.com",
 *   secret: process.env.GATEHOUSE_SECRET!,
 * });
 * const { accessToken, refreshToken } = await sessions.create({ userId: "user_1" });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14 Refresh token protection (OAuth 2.0 Security BCP)
 */
export function createSessions(options: SessionsOptions): Sessions {
  const o = resolveOptions(options);
  const clock = o.clock ?? systemClock;
  const kv = namespaced(o.kv, "sessions");
  const secrets = new SecretRing(o.secrets);
  const revocations = new RevocationList({ kv, clock, ...o.revocation });
  const keys = createKeyRing({
    records: o.records,
    secrets,
    clock,
    events: o.events,
    algorithm: o.algorithm,
    rotateEverySec: o.rotateEverySec,
    publishAheadSec: o.publishAheadSec,
    retainSec: o.accessTokenTtlSec + 300,
  });
  const ctx: SessionContext = {
    options: o,
    records: o.records,
    kv,
    clock,
    events: o.events,
    secrets,
    keys,
    revocations,
    devices: new DeviceRegistry(o.records, secrets, clock, o.events),
  };
  const keyService = createApiKeys({
    records: o.records,
    secrets,
    clock,
    events: o.events,
    revocations,
    prefix: o.apiKeyPrefix,
    cacheTtlSec: o.apiKeyCacheTtlSec,
    lastUsedWriteIntervalSec: o.apiKeyLastUsedWriteIntervalSec,
    maxKeysPerSubject: o.maxKeysPerSubject,
  });
  const touched = new Map<string, number>();
  let localIssuer: Issuer | undefined;
  let keyIssuer: OpaqueIssuer | undefined;

  async function locate(ip: string | null): Promise<GeoLocation | null> {
    if (ip === null || o.geolocate === undefined) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(resolve, o.geolocateTimeoutMs, null);
      timer.unref();
    });
    try {
      const found = await Promise.race([o.geolocate(ip), timeout]);
      return found ? { ...found } : null;
    } catch {
      // A lookup is a nicety: it never blocks a sign-in.
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  function originOf(input: CreateSessionInput): string | undefined {
    if (input.origin === undefined) return o.authorizedParties[0];
    if (!o.authorizedParties.includes(input.origin)) {
      throw new GatehouseError(
        "input_invalid",
        "sessions.create(): origin is not one of authorizedParties.",
      );
    }
    return input.origin;
  }

  async function insert(data: Parameters<typeof o.records.create<typeof sessionModel>>[1]) {
    const max = o.maxSessionsPerUser;
    if (max === undefined) return o.records.create(sessionModel, data);
    for (let attempt = 0; attempt < 10; attempt++) {
      const slot = await findFreeSlot(ctx, data.userId, max);
      try {
        return await o.records.create(sessionModel, { ...data, slot });
      } catch (err) {
        // A concurrent sign-in took the slot: look again.
        if (!isGatehouseError(err) || err.code !== "store_duplicate") throw err;
      }
    }
    throw new GatehouseError("store_conflict", "Too many concurrent sign-ins for this user.", {
      status: 503,
    });
  }

  async function create(input: CreateSessionInput) {
    parseInput("sessions.create()", inputSchema, input);
    if (input.claims) checkCustomClaims(input.claims, "sessions.create()");
    const azp = originOf(input);
    const ip = input.ip ?? null;
    const userAgent = clampUserAgent(input.userAgent);
    const parsed = parseUserAgent(userAgent);
    const location = await locate(ip);
    const seen = await ctx.devices.recognise(input.userId, input.deviceToken, {
      ip,
      userAgent,
      parsed,
      location,
    });
    const now = clock.now();
    const refreshToken = newRefreshToken();
    const expiresAt = now + o.absoluteLifetimeSec * 1000;
    const record: SessionRecord = await insert({
      id: `sess_${randomToken(16)}`,
      userId: input.userId,
      status: "active",
      refreshHash: sha256(refreshToken),
      generation: 0,
      lastActiveAt: now,
      expiresAt,
      idleExpiresAt: Math.min(now + o.idleTimeoutSec * 1000, expiresAt),
      ip,
      userAgent,
      ...parsed,
      location: location === null ? null : { ...location },
      deviceId: seen.device.id,
      authMethod: input.authMethod ?? null,
      tokenClaims: JSON.parse(JSON.stringify(sessionClaims(input, azp))),
    });
    o.events?.emit("session.created", {
      sessionId: record.id,
      userId: record.userId,
      deviceId: seen.device.id,
      newDevice: seen.newDevice,
      authMethod: record.authMethod ?? null,
      ip,
    });
    if (seen.newDevice) {
      o.events?.emit("session.new_device", {
        userId: record.userId,
        sessionId: record.id,
        deviceId: seen.device.id,
        firstDevice: seen.firstDevice,
        browser: parsed.browser,
        os: parsed.os,
        deviceType: parsed.deviceType,
        ip,
        location,
      });
    }
    return issue(ctx, record, refreshToken, seen.deviceToken, seen.newDevice);
  }

  async function touch(sessionId: string, facts: RequestFacts = {}): Promise<void> {
    const now = clock.now();
    const last = touched.get(sessionId);
    if (last !== undefined && now - last < o.activityWriteIntervalSec * 1000) return;
    if (touched.size >= 10_000) touched.delete(touched.keys().next().value as string);
    touched.set(sessionId, now);
    try {
      await o.records.update(sessionModel, sessionId, {
        lastActiveAt: now,
        ...(facts.ip ? { ip: facts.ip } : {}),
      });
    } catch (err) {
      if (!isGatehouseError(err) || err.code !== "store_not_found") throw err;
    }
  }

  const service: Sessions = {
    create,
    refresh: (token, facts) => refreshSession(ctx, token, facts),
    async get(sessionId) {
      const s = await o.records.findOne(sessionModel, { id: sessionId });
      return s === undefined ? undefined : sessionInfo(s, clock.now());
    },
    async list(userId, opts = {}) {
      const page = await o.records.findMany(sessionModel, {
        where: opts.includeEnded ? { userId } : { userId, status: "active" },
        orderBy: { field: "createdAt", direction: "desc" },
        limit: opts.limit ?? 50,
        ...(opts.cursor === undefined ? {} : { cursor: opts.cursor }),
      });
      const now = clock.now();
      const items = page.items
        .map((s) => sessionInfo(s, now))
        .filter((s) => opts.includeEnded || s.status === "active");
      return { items, nextCursor: page.nextCursor };
    },
    revoke: (sessionId, opts = {}) =>
      revokeSession(ctx, sessionId, opts.reason ?? "revoked", opts.by ?? "system"),
    async revokeByRefreshToken(refreshToken, opts = {}) {
      const s = await sessionOfRefreshToken(ctx, refreshToken);
      if (s === undefined) return false;
      return revokeSession(ctx, s.id, opts.reason ?? "signed_out", opts.by ?? s.userId);
    },
    revokeOthers: (userId, keep, opts = {}) =>
      revokeUserSessions(
        ctx,
        userId,
        keep,
        opts.reason ?? "signed_out_elsewhere",
        opts.by ?? userId,
      ),
    revokeAll: (userId, opts = {}) =>
      revokeUserSessions(ctx, userId, undefined, opts.reason ?? "admin", opts.by ?? "system"),
    touch,
    devices: (userId) => ctx.devices.list(userId),
    trustDevice: (userId, deviceId, trusted) => ctx.devices.trust(userId, deviceId, trusted),
    sweep: () => sweepEnded(ctx),
    keys,
    apiKeys: keyService,
    publicJwks: () => keys.publicJwks(),
    revocations,
    issuer() {
      localIssuer ??= local({
        issuer: o.issuer,
        jwks: () => keys.publicJwks(),
        ...(o.audience === undefined ? {} : { audience: o.audience }),
        authorizedParties: o.authorizedParties,
        revocations,
      });
      return localIssuer;
    },
    apiKeyIssuer() {
      keyIssuer ??= apiKeys({
        resolver: keyService.resolver,
        revocations,
        prefixes: [`${o.apiKeyPrefix}_sk_`, `${o.apiKeyPrefix}_pk_`],
        cache: { ttlSec: o.apiKeyCacheTtlSec },
      });
      return keyIssuer;
    },
    settings: Object.freeze({
      issuer: o.issuer,
      accessTokenTtlSec: o.accessTokenTtlSec,
      idleTimeoutSec: o.idleTimeoutSec,
      absoluteLifetimeSec: o.absoluteLifetimeSec,
      authorizedParties: o.authorizedParties,
      deviceCookieMaxAgeSec: o.deviceCookieMaxAgeSec,
    }),
  };
  return Object.freeze(service);
}
