/**
 * Internal: turns queued inputs into chained events, at flush time and in
 * queue order.
 *
 * @packageDocumentation
 */

import { randomBytes } from "node:crypto";
import type { JsonValue } from "@gatehouse/core/store";
import { chainHash, piiDigestWith } from "../chain.js";
import type { AuditEvent, AuditEventInput } from "../event.js";
import { uuidv7 } from "../ids.js";
import { type CleanedMetadata, storableString, UNREADABLE } from "../redact.js";

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

/** Where an event goes in its chain. */
interface Position {
  readonly stream: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly piiSalt: string;
}

/** The event of an input, cleaned, before its digest and hash are known. */
function draft(
  input: AuditEventInput,
  action: string,
  time: number,
  metadata: JsonValue | null,
  at: Position,
): Mutable<AuditEvent> {
  const dot = action.indexOf(".");
  const actor = input.actor;
  const target = input.target;
  // One object literal with every field: built field by field it would turn into a slow dictionary.
  return {
    id: uuidv7(time),
    time,
    stream: at.stream,
    seq: at.seq,
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
    metadata,
    piiSalt: at.piiSalt,
    piiDigest: "",
    prevHash: at.prevHash,
    hash: "",
    erasedAt: null,
  };
}

const UNREADABLE_TEXT = JSON.stringify(UNREADABLE);

/** A chain writer: each call continues the chain of `stream` from `head`. */
export function createChainer(
  stream: string,
  head: ChainHead,
  clean: (metadata: unknown) => CleanedMetadata,
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
        const { input, action, time } = pending[i]!;
        const at: Position = {
          stream,
          seq: seq + 1,
          prevHash,
          piiSalt: salts.toString("base64url", i * 16, i * 16 + 16),
        };
        let event: Mutable<AuditEvent>;
        let metadataText: string;
        try {
          const metadata = clean(input.metadata);
          event = draft(input, action, time, metadata.value, at);
          metadataText = metadata.text;
        } catch {
          // A getter or Proxy in the input threw: keep what record() checked.
          event = draft({ action }, action, time, UNREADABLE, at);
          metadataText = UNREADABLE_TEXT;
        }
        event.piiDigest = piiDigestWith(event, at.piiSalt, metadataText);
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
