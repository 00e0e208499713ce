/**
 * The hash chain. Each event's `hash` covers the previous event's hash, its
 * own non-personal fields, and `piiDigest` — a salted digest of its personal
 * fields. Erasing a person (GDPR) replaces their identifiers by pseudonyms
 * and deletes the salt but keeps `piiDigest`, so the chain still verifies
 * while the digest can no longer confirm a guess of what was erased.
 *
 * Hashes are SHA-256 (hex) over a JSON array in a fixed field order; the
 * metadata inside it is in RFC 8785 canonical form (sorted keys), so a store
 * that reorders keys (PostgreSQL `jsonb`) does not break verification.
 *
 * @packageDocumentation
 */
import { hash, randomBytes } from "node:crypto";
import type { JsonValue } from "@gatehouse/core/store";
import { canonicalJson } from "./canonical-json.js";
import type { AuditEvent } from "./event.js";

/** The personal fields of an event: what erasure pseudonymises. */
export const PERSONAL_FIELDS = [
  "actorId",
  "impersonatorId",
  "targetId",
  "ip",
  "userAgent",
  "metadata",
] as const;

type Personal = Pick<AuditEvent, (typeof PERSONAL_FIELDS)[number]>;
type Chained = Omit<AuditEvent, "piiSalt" | "piiDigest" | "prevHash" | "hash" | "erasedAt">;

// One-shot hashing (node:crypto `hash`, Node 20.12+): about twice as fast as createHash for short inputs.
const sha256 = (text: string) => hash("sha256", text, "hex");

/** A fresh salt for an event's `piiDigest`. */
export function newPiiSalt(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * The digest of an event's personal fields under `salt`: SHA-256 of the JSON
 * array `[salt, actorId, impersonatorId, targetId, ip, userAgent, metadata]`,
 * the metadata in canonical form (RFC 8785).
 */
export function piiDigestOf(event: Personal, salt: string): string {
  return piiDigestWith(event, salt, canonicalJson((event.metadata ?? null) as JsonValue));
}

/** {@link piiDigestOf} given the canonical text of the event's metadata (the redactor made it). */
export function piiDigestWith(event: Personal, salt: string, metadataText: string): string {
  const head = JSON.stringify([
    salt,
    event.actorId ?? null,
    event.impersonatorId ?? null,
    event.targetId ?? null,
    event.ip ?? null,
    event.userAgent ?? null,
  ]);
  return sha256(`${head.slice(0, -1)},${metadataText}]`);
}

/** The chain hash of an event after `prevHash`. */
export function chainHash(prevHash: string, event: Chained, piiDigest: string): string {
  return sha256(
    JSON.stringify([
      prevHash,
      event.id,
      event.time,
      event.stream,
      event.seq,
      event.action,
      event.outcome,
      event.actorType,
      event.targetType,
      event.orgId,
      event.requestId,
      piiDigest,
    ]),
  );
}
