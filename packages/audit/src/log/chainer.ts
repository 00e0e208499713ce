/**
 * Internal: turns queued inputs into chained events, at flush time and in
 * queue order.
 *
 * @packageDocumentation
 */

import { randomBytes } from "node:crypto";
import type { JsonValue } from "@gatehouse/core/store";
import { chainHash, piiDigestOf } from "../chain.js";
import type { AuditEvent, AuditEventInput } from "../event.js";
import { uuidv7 } from "../ids.js";
import { storableString, UNREADABLE } from "../redact.js";

/** An input as `record()` queued it, with the time it was recorded. */
export interface Pending {
  readonly input: AuditEventInput;
  /** `input.action` as validated (the caller may reuse the input object). */
  readonly action: string;
  readonly time: number;
}

/** The last position of a stream. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Longest string kept in an event field; longer ones are cut. */
const MAX_FIELD_CHARS = 1024;

function text(value: unknown): string | null {
  if (typeof value === "string") {
    // A surrogate pair cut in two leaves a lone half: storableString replaces it.
    return storableString(value.length > MAX_FIELD_CHARS ? value.slice(0, MAX_FIELD_CHARS) : value);
  }
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return null;
}

type EventFields = Omit<
  AuditEvent,
  "id" | "time" | "stream" | "seq" | "piiSalt" | "piiDigest" | "prevHash" | "hash" | "erasedAt"
>;

/** The fields an input gives, cleaned. */
function fieldsOf(
  input: AuditEventInput,
  action: string,
  redact: (metadata: unknown) => JsonValue | null,
): EventFields {
  const dot = action.indexOf(".");
  const actor = input.actor;
  const target = input.target;
  return {
    action,
    actionNamespace: dot === -1 ? action : action.slice(0, dot),
    outcome: input.outcome ?? "success",
    actorType: actor?.type ?? "system",
    actorId: text(actor?.id),
    impersonatorId: text(actor?.impersonatorId),
    targetType: target ? text(target.type) : null,
    targetId: target ? text(target.id) : null,
    orgId: text(input.orgId),
    ip: text(input.ip),
    userAgent: text(input.userAgent),
    requestId: text(input.requestId),
    metadata: redact(input.metadata),
  };
}

/** A chain writer: each call continues the chain of `stream` from `head`. */
export function createChainer(
  stream: string,
  head: ChainHead,
  redact: (metadata: unknown) => JsonValue | null,
) {
  let seq = head.seq;
  let prevHash = head.hash;
  return {
    /** The position of the last chained event. */
    get head(): ChainHead {
      return { seq, hash: prevHash };
    },
    /** Chains `pending` after the head, in order. */
    chain(pending: readonly Pending[]): AuditEvent[] {
      const events: AuditEvent[] = new Array(pending.length);
      // The salts of the batch in one call: 16 random bytes each, as newPiiSalt() makes them.
      const salts = randomBytes(16 * pending.length);
      for (let i = 0; i < pending.length; i++) {
        const { action, time } = pending[i]!;
        let fields: EventFields;
        try {
          fields = fieldsOf(pending[i]!.input, action, redact);
        } catch {
          // A getter or Proxy in the input threw: keep what record() checked.
          fields = { ...fieldsOf({ action }, action, redact), metadata: UNREADABLE };
        }
        const event: Mutable<AuditEvent> = {
          id: uuidv7(time),
          time,
          stream,
          seq: seq + 1,
          ...fields,
          piiSalt: salts.toString("base64url", i * 16, i * 16 + 16),
          piiDigest: "",
          prevHash,
          hash: "",
          erasedAt: null,
        };
        event.piiDigest = piiDigestOf(event, event.piiSalt!);
        event.hash = chainHash(prevHash, event, event.piiDigest);
        events[i] = event;
        seq++;
        prevHash = event.hash;
      }
      return events;
    },
  };
}

/** The chainer type. */
export type Chainer = ReturnType<typeof createChainer>;
