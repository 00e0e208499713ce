/**
 * The audit event: what `record()` takes, and what a sink stores.
 *
 * @packageDocumentation
 */
import type { JsonValue } from "@gatehouse/core/store";

/** Who acted. */
export interface AuditActor {
  /** `user`, `admin`, `api_key` (id = the key id, never the key) or `system`. */
  readonly type: "user" | "admin" | "api_key" | "system";
  /** The user, admin or key id; `null` for the system. */
  readonly id: string | null;
  /** The admin acting as `id` in an impersonation session (Clerk `act.sub`). */
  readonly impersonatorId?: string | null;
}

/** What was acted on. */
export interface AuditTarget {
  /** e.g. `session`, `user`, `api_key`, `organization`. */
  readonly type: string;
  readonly id: string;
}

/** How it ended. */
export type AuditOutcome = "success" | "failure" | "denied";

/** What `record()` takes. Only `action` is required. */
export interface AuditEventInput {
  /** Dotted name, namespace first: `session.revoked`, `signin.failed`, `admin.user.updated`. */
  readonly action: string;
  /** @default { type: "system", id: null } */
  readonly actor?: AuditActor;
  readonly target?: AuditTarget | null;
  /** The organization the event belongs to; queries scoped to an organization see only its events. */
  readonly orgId?: string | null;
  /** @default "success" */
  readonly outcome?: AuditOutcome;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  readonly requestId?: string | null;
  /** Extra facts (JSON). Keys on the redaction list are replaced by `"[redacted]"`; oversized metadata is truncated. */
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  /** When it happened, epoch ms. @default now */
  readonly time?: number;
}

/** A stored event, chained: every field a sink keeps. */
export interface AuditEvent {
  /** UUIDv7: sortable by time. */
  readonly id: string;
  readonly time: number;
  /** The chain this event belongs to (one per writing process by default). */
  readonly stream: string;
  /** Position in the stream, from 1, without gaps. */
  readonly seq: number;
  readonly action: string;
  /** `action` up to its first dot, for prefix queries (`session`). */
  readonly actionNamespace: string;
  readonly outcome: AuditOutcome;
  readonly actorType: AuditActor["type"];
  readonly actorId: string | null;
  readonly impersonatorId: string | null;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly orgId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly metadata: JsonValue | null;
  /** Random salt of `piiDigest`, deleted on erasure so pseudonyms cannot be reversed by guessing. */
  readonly piiSalt: string | null;
  /** SHA-256 over the personal fields (actor, impersonator, target ids, IP, user agent, metadata) and the salt. */
  readonly piiDigest: string;
  /** `hash` of the previous event in the stream (`""` for the first). */
  readonly prevHash: string;
  /** SHA-256 over `prevHash`, the non-personal fields and `piiDigest`. */
  readonly hash: string;
  /** When the personal fields were pseudonymised (GDPR erasure), else `null`. */
  readonly erasedAt: number | null;
}
