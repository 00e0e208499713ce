/**
 * Refresh-token rotation with reuse detection.
 *
 * A refresh token is 256 random bits, stored only as a SHA-256 digest on its
 * session. Each use swaps it for a new one with a version-checked update, so
 * of two concurrent uses exactly one rotates. A token that was rotated away
 * and comes back is theft (RFC 9700 §4.14.2): the session is revoked.
 *
 * Two tabs refreshing at once are not theft. The first use of a token
 * reserves its successor in the KeyValueStore for `reuseGraceSec`, sealed
 * under the old token itself, and every use of the old token in that window
 * gets the same successor (and completes the rotation if its first user
 * died half-way). So a race yields one new refresh token, never two.
 *
 * @packageDocumentation
 */
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import { issueAccessToken } from "./access-token.js";
import type { SessionContext, SessionRecord } from "./context.js";
import { openWithToken, randomToken, sealWithToken, sha256 } from "./crypto.js";
import { sessionModel, usedRefreshTokenModel } from "./models.js";
import { expireSession, revokeSession } from "./revoke.js";
import { endedBecause, sessionInfo } from "./session-info.js";
import type { IssuedSession, RequestFacts } from "./types.js";
import { clampUserAgent } from "./user-agent.js";

/** `gh_rt_` and 43 base64url characters (256 bits). */
const REFRESH_TOKEN = /^gh_rt_[A-Za-z0-9_-]{43}$/;

/** Makes a new refresh token. */
export function newRefreshToken(): string {
  return `gh_rt_${randomToken(32)}`;
}

interface GraceEntry {
  readonly sid: string;
  /** The successor token, sealed under the old token. */
  readonly next: string;
}

const graceKey = (hash: string) => `grace:${hash}`;

function invalid(): never {
  throw new GatehouseError("refresh_token_invalid", "The refresh token is not valid.");
}

/** Throws unless the session can be refreshed; marks a timed-out one expired. */
async function checkLive(ctx: SessionContext, s: SessionRecord): Promise<void> {
  if (s.status === "revoked") {
    throw new GatehouseError("session_revoked", "The session was signed out.");
  }
  const ended = s.status === "expired" ? "absolute" : endedBecause(s, ctx.clock.now());
  if (ended !== null) {
    if (s.status === "active") await expireSession(ctx, s, ended);
    throw new GatehouseError("session_expired", "The session has expired; sign in again.");
  }
}

/** The successor reserved for `token` during its grace period, if any. */
async function successorOf(ctx: SessionContext, hash: string, token: string) {
  const entry = await ctx.kv.get<GraceEntry & Record<string, string>>(graceKey(hash));
  if (entry === undefined) return undefined;
  const next = openWithToken(token, entry.next);
  // An entry that does not open under the token was not made for it.
  return next === undefined ? undefined : { sid: entry.sid, next };
}

/** Swaps the session's refresh token for `next`; `undefined` if the record changed meanwhile. */
async function rotate(
  ctx: SessionContext,
  s: SessionRecord,
  hash: string,
  next: string,
  facts: RequestFacts,
): Promise<IssuedSession | undefined> {
  const now = ctx.clock.now();
  const { idleTimeoutSec } = ctx.options;
  let updated: SessionRecord;
  try {
    updated = await ctx.records.update(
      sessionModel,
      s.id,
      {
        refreshHash: sha256(next),
        previousRefreshHash: hash,
        rotatedAt: now,
        generation: s.generation + 1,
        lastActiveAt: now,
        idleExpiresAt: Math.min(now + idleTimeoutSec * 1000, s.expiresAt),
        ...(facts.ip ? { ip: facts.ip } : {}),
        ...(facts.userAgent ? { userAgent: clampUserAgent(facts.userAgent) } : {}),
      },
      { expectedVersion: s.version },
    );
  } catch (err) {
    if (isGatehouseError(err) && err.code === "store_conflict") return undefined;
    throw err;
  }
  // Remembered so that this token coming back, however late, reads as theft.
  await ctx.records
    .create(usedRefreshTokenModel, { hash, sessionId: s.id, expiresAt: s.expiresAt })
    .catch((err: unknown) => {
      if (!isGatehouseError(err) || err.code !== "store_duplicate") throw err;
    });
  ctx.events?.emit("session.refreshed", {
    sessionId: s.id,
    userId: s.userId,
    generation: updated.generation,
  });
  return issue(ctx, updated, next);
}

/** The pair handed back for a session whose current refresh token is `refreshToken`. */
export async function issue(
  ctx: SessionContext,
  s: SessionRecord,
  refreshToken: string,
  deviceToken: string | null = null,
  newDevice = false,
): Promise<IssuedSession> {
  const issuedAt = ctx.clock.now();
  const access = await issueAccessToken(ctx, s);
  return Object.freeze({
    session: sessionInfo(s, issuedAt),
    issuedAt,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
    refreshTokenExpiresAt: s.idleExpiresAt,
    deviceToken,
    newDevice,
  });
}

/** A rotated-away token came back outside its grace period: revoke its session. */
async function detectReuse(ctx: SessionContext, hash: string, facts: RequestFacts): Promise<void> {
  const sessionId =
    (await ctx.records.findOne(sessionModel, { previousRefreshHash: hash }))?.id ??
    (await ctx.records.findOne(usedRefreshTokenModel, { hash }))?.sessionId;
  if (sessionId === undefined) return;
  const s = await ctx.records.findOne(sessionModel, { id: sessionId });
  if (s === undefined) return;
  await revokeSession(ctx, s.id, "refresh_token_reused", "system");
  ctx.events?.emit("session.reuse_detected", {
    sessionId: s.id,
    userId: s.userId,
    ip: facts.ip ?? null,
    userAgent: clampUserAgent(facts.userAgent),
  });
  throw new GatehouseError(
    "refresh_token_reused",
    "The refresh token was already used; the session has been signed out.",
  );
}

/** The session whose current (or, within the grace period, previous) refresh token is `token`. */
export async function sessionOfRefreshToken(
  ctx: SessionContext,
  token: unknown,
): Promise<SessionRecord | undefined> {
  if (typeof token !== "string" || !REFRESH_TOKEN.test(token)) return undefined;
  const hash = sha256(token);
  const current = await ctx.records.findOne(sessionModel, { refreshHash: hash });
  if (current !== undefined) return current;
  const previous = await ctx.records.findOne(sessionModel, { previousRefreshHash: hash });
  const graceEnd = (previous?.rotatedAt ?? 0) + ctx.options.reuseGraceSec * 1000;
  return previous !== undefined && ctx.clock.now() < graceEnd ? previous : undefined;
}

/** Rotates `token` into a new pair (see the module comment for the race rules). */
export async function refreshSession(
  ctx: SessionContext,
  token: unknown,
  facts: RequestFacts = {},
): Promise<IssuedSession> {
  if (typeof token !== "string" || !REFRESH_TOKEN.test(token)) invalid();
  const grace = ctx.options.reuseGraceSec * 1000;
  let presented = token;
  let hash = sha256(token);
  // Bounded: each round either finishes, or follows a rotation that happened meanwhile.
  for (let round = 0; round < 8; round++) {
    const current = await ctx.records.findOne(sessionModel, { refreshHash: hash });
    if (current !== undefined) {
      await checkLive(ctx, current);
      let next = newRefreshToken();
      if (grace > 0) {
        const reserved = await ctx.kv.setIfAbsent(
          graceKey(hash),
          { sid: current.id, next: sealWithToken(presented, next) },
          { ttlMs: grace },
        );
        if (!reserved) {
          // Another request is rotating this token: finish with its successor.
          const successor = await successorOf(ctx, hash, presented);
          if (successor === undefined) continue;
          next = successor.next;
        }
      }
      const done = await rotate(ctx, current, hash, next, facts);
      if (done !== undefined) return done;
      continue;
    }
    const successor = grace > 0 ? await successorOf(ctx, hash, presented) : undefined;
    if (successor !== undefined) {
      const nextHash = sha256(successor.next);
      const s = await ctx.records.findOne(sessionModel, { refreshHash: nextHash });
      if (s !== undefined) {
        await checkLive(ctx, s);
        return issue(ctx, s, successor.next);
      }
      // Rotated again since: follow the chain within the grace period.
      presented = successor.next;
      hash = nextHash;
      continue;
    }
    await detectReuse(ctx, hash, facts);
    invalid();
  }
  throw new GatehouseError("store_conflict", "The session is being refreshed concurrently.", {
    status: 503,
  });
}
