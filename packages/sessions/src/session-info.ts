/**
 * How a stored session reads: its effective status (an active record past
 * its idle or absolute end is expired) and its public view.
 *
 * @packageDocumentation
 */
import type { SessionRecord } from "./context.js";
import type { GeoLocation, RevocationReason, SessionInfo } from "./types.js";

/** Why a live-looking record has ended, or `null` while it is live. */
export function endedBecause(s: SessionRecord, now: number): "idle" | "absolute" | null {
  if (now >= s.expiresAt) return "absolute";
  if (now >= s.idleExpiresAt) return "idle";
  return null;
}

/** Whether the session can still be used at `now`. */
export function isLive(s: SessionRecord, now: number): boolean {
  return s.status === "active" && endedBecause(s, now) === null;
}

/** The public view of a session record (no token material). */
export function sessionInfo(s: SessionRecord, now: number): SessionInfo {
  const status =
    s.status === "active" && endedBecause(s, now) !== null
      ? "expired"
      : (s.status as SessionInfo["status"]);
  const claims = (s.tokenClaims ?? {}) as { org_id?: unknown };
  return Object.freeze({
    id: s.id,
    userId: s.userId,
    status,
    createdAt: s.createdAt,
    lastActiveAt: s.lastActiveAt,
    expiresAt: s.expiresAt,
    idleExpiresAt: s.idleExpiresAt,
    revokedAt: s.revokedAt ?? null,
    revokedReason: (s.revokedReason as RevocationReason | null) ?? null,
    revokedBy: s.revokedBy ?? null,
    ip: s.ip ?? null,
    userAgent: s.userAgent ?? null,
    browser: s.browser ?? null,
    os: s.os ?? null,
    deviceType: s.deviceType ?? null,
    location: (s.location as GeoLocation | null) ?? null,
    deviceId: s.deviceId ?? null,
    authMethod: s.authMethod ?? null,
    orgId: typeof claims.org_id === "string" ? claims.org_id : null,
    generation: s.generation,
  });
}
