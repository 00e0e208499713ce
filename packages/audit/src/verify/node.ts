// Internal: one event as verification sees it, with its own checks done once.
import { chainHash, piiDigestOf } from "../chain.js";
import type { AuditEvent } from "../event.js";

/** An event under verification. */
export interface ChainNode {
  readonly event: AuditEvent;
  /** Order of arrival, to keep equal `seq`s in input order. */
  readonly arrival: number;
  /** The chain hash recomputed from the event's content. */
  readonly recomputed: string;
  /** Whether the stored hash matches the content. */
  readonly hashOk: boolean;
  /** What is wrong with the event on its own (hash, namespace, personal fields), or `null`. */
  readonly selfProblem: string | null;
  /** The position the event's hash was made for, once known (see `trueSeq`). */
  trueSeq?: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Why `value` cannot be verified as an event at all, or `null` when it has an event's shape. */
export function malformed(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return "not an object";
  const e = value as Record<string, unknown>;
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) return "seq is not a positive integer";
  for (const field of ["id", "stream", "action", "piiDigest", "prevHash", "hash"]) {
    if (typeof e[field] !== "string") return `${field} is not a string`;
  }
  if (!HEX64.test(e.hash as string)) return "hash is not a SHA-256 hex digest";
  return null;
}

function personalProblem(event: AuditEvent): string | null {
  if (event.erasedAt !== null && event.erasedAt !== undefined) {
    return event.piiSalt === null &&
      event.ip === null &&
      event.userAgent === null &&
      event.metadata === null
      ? null
      : "marked erased but still holds its salt, IP, user agent or metadata";
  }
  if (typeof event.piiSalt !== "string") return "its piiSalt is gone but it is not marked erased";
  let digest: string;
  try {
    digest = piiDigestOf(event, event.piiSalt);
  } catch {
    // Nested too deep to canonicalise (the log never writes that): altered.
    digest = "";
  }
  return digest === event.piiDigest
    ? null
    : "its personal fields (actor, target, IP, user agent, metadata) no longer match piiDigest";
}

/** Checks an event on its own. */
export function toNode(event: AuditEvent, arrival: number): ChainNode {
  const recomputed = chainHash(event.prevHash, event, event.piiDigest);
  const hashOk = recomputed === event.hash;
  const dot = event.action.indexOf(".");
  const namespace = dot === -1 ? event.action : event.action.slice(0, dot);
  const selfProblem = !hashOk
    ? "its stored hash does not match its content"
    : event.actionNamespace !== namespace
      ? "its actionNamespace does not match its action"
      : personalProblem(event);
  return { event, arrival, recomputed, hashOk, selfProblem };
}

/** Whether `node`'s stored or recomputed hash is `hash`. */
export const hashIs = (node: ChainNode, hash: string): boolean =>
  node.event.hash === hash || node.recomputed === hash;

/** The chain hash `node` would have at position `seq`. */
export const hashAt = (node: ChainNode, seq: number): string =>
  chainHash(node.event.prevHash, { ...node.event, seq }, node.event.piiDigest);
