// Test helper (imported by *.test.ts only): a tiny chain builder on chain.ts,
// deterministic so property-test failures replay, and a writer of the rows a
// store sink keeps.
import { createHash } from "node:crypto";
import type { RecordStore } from "@gatehouse/core/store";
import { chainHash, piiDigestOf } from "../chain.js";
import type { AuditEvent } from "../event.js";
import { auditEventModel } from "../model.js";

/** A fixed start time: 2023-11-14T22:13:20Z. */
export const T0 = 1_700_000_000_000;

/** A deterministic UUIDv7 for `ms`, ordered by `n` within the millisecond, distinct per `tag`. */
export function v7(ms: number, n: number, tag = ""): string {
  const t = ms.toString(16).padStart(12, "0");
  const c = n.toString(16).padStart(6, "0");
  const node = createHash("sha256").update(tag).digest("hex").slice(0, 12);
  return `${t.slice(0, 8)}-${t.slice(8)}-7${c.slice(0, 3)}-8${c.slice(3)}-${node}`;
}

/** What a test may set on an event; the rest is filled in. */
export type EventFields = Partial<
  Omit<AuditEvent, "stream" | "seq" | "prevHash" | "hash" | "piiDigest" | "actionNamespace">
>;

/** Seals an event after `prev`: sets `seq`, `prevHash`, `piiDigest` and `hash`. */
export function seal(
  prev: AuditEvent | undefined,
  stream: string,
  fields: EventFields = {},
): AuditEvent {
  const seq = (prev?.seq ?? 0) + 1;
  const time = fields.time ?? T0 + seq * 1000;
  const action = fields.action ?? (seq % 2 ? "session.created" : "user.updated");
  const base = {
    id: fields.id ?? v7(time, seq, stream),
    time,
    stream,
    seq,
    action,
    actionNamespace: action.split(".")[0]!,
    outcome: fields.outcome ?? "success",
    actorType: fields.actorType ?? "user",
    actorId: fields.actorId === undefined ? `user_${seq % 3}` : fields.actorId,
    impersonatorId: fields.impersonatorId ?? null,
    targetType: fields.targetType === undefined ? "session" : fields.targetType,
    targetId: fields.targetId === undefined ? `sess_${seq}` : fields.targetId,
    orgId: fields.orgId === undefined ? "org_a" : fields.orgId,
    ip: fields.ip === undefined ? "203.0.113.7" : fields.ip,
    userAgent: fields.userAgent === undefined ? "Mozilla/5.0" : fields.userAgent,
    requestId: fields.requestId ?? null,
    metadata: fields.metadata === undefined ? { n: seq } : fields.metadata,
    piiSalt: fields.piiSalt === undefined ? `salt-${stream}-${seq}` : fields.piiSalt,
    erasedAt: fields.erasedAt ?? null,
  } as const;
  const piiDigest = piiDigestOf(base, base.piiSalt ?? "");
  const prevHash = prev?.hash ?? "";
  return { ...base, piiDigest, prevHash, hash: chainHash(prevHash, base, piiDigest) };
}

/** A valid chain of `count` events of `stream`; `fields(seq)` sets fields per event. */
export function buildChain(
  count: number,
  stream = "api-1",
  fields: (seq: number) => EventFields = () => ({}),
): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (let seq = 1; seq <= count; seq++) events.push(seal(events.at(-1), stream, fields(seq)));
  return events;
}

/** Recomputes an event's hash from its content (what a careful forger does). */
export function rehash(event: AuditEvent): AuditEvent {
  return { ...event, hash: chainHash(event.prevHash, event, event.piiDigest) };
}

/** Re-links and rehashes a whole chain in its current order, renumbering `seq` from 1: a full rewrite. */
export function rewrite(events: readonly AuditEvent[]): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const [i, event] of events.entries()) {
    const moved = { ...event, seq: i + 1, prevHash: out.at(-1)?.hash ?? "" };
    out.push(rehash(moved));
  }
  return out;
}

/** An erased copy of an event, as erasure leaves it (ids pseudonymised, the rest cleared). */
export function erased(event: AuditEvent, at = T0 + 10_000_000): AuditEvent {
  return {
    ...event,
    actorId: event.actorId === null ? null : "erased:0123456789ab",
    ip: null,
    userAgent: null,
    metadata: null,
    piiSalt: null,
    erasedAt: at,
  };
}

/** The stored row of an event. */
export function eventRow(event: AuditEvent) {
  return { ...event, position: `${event.stream}#${event.seq}` };
}

/** Writes events as a store sink does. */
export async function writeEvents(records: RecordStore, events: readonly AuditEvent[]) {
  for (const event of events) await records.create(auditEventModel, eventRow(event));
}
