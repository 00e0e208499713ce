/**
 * How a stored key is shown: never its hash, never the key.
 *
 * @internal
 */
import type { ApiKeyInfo } from "../types.js";
import type { ApiKeyRecord } from "./context.js";
import type { ApiKeyKind } from "./key-format.js";

/** `revoked` once revoked, `expired` from `expiresAt` on, else `active`. */
export function statusOf(record: ApiKeyRecord, now: number): ApiKeyInfo["status"] {
  if (record.revokedAt !== null) return "revoked";
  if (record.expiresAt !== null && record.expiresAt <= now) return "expired";
  return "active";
}

/** The stored scopes, as written by `create` (a JSON array of strings). */
export function scopesOf(record: ApiKeyRecord): readonly string[] {
  const scopes = record.scopes;
  return Object.freeze(
    Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [],
  );
}

/** The list view of a stored key at time `now`. */
export function toInfo(record: ApiKeyRecord, now: number): ApiKeyInfo {
  return Object.freeze({
    id: record.id,
    kind: record.kind as ApiKeyKind,
    subject: record.subject,
    orgId: record.orgId,
    name: record.name,
    scopes: scopesOf(record),
    displayPrefix: record.displayPrefix,
    status: statusOf(record, now),
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt,
    revokedAt: record.revokedAt,
    createdBy: record.createdBy,
    rotatedFrom: record.rotatedFrom,
    rotatedTo: record.rotatedTo,
  });
}
