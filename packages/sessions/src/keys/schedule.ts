/**
 * The key ring's schedule: which key is next, active or retired at an
 * instant, and when a new key is due. Pure functions of the stored keys and
 * the time, so every instance reading the same ring reaches the same answer.
 *
 * @packageDocumentation
 */
import type { StoredRecord } from "@gatehouse/core/store";
import type { signingKeyModel } from "../models.js";

/** A stored signing key (`gh_signing_key`). */
export type SigningKeyRecord = StoredRecord<typeof signingKeyModel>;

/** The ring's timing, in milliseconds. */
export interface Schedule {
  readonly rotateEveryMs: number;
  readonly publishAheadMs: number;
  readonly retainMs: number;
}

/** A key and its state at one instant. */
export interface KeyView {
  readonly record: SigningKeyRecord;
  readonly state: "next" | "active" | "retired";
  /** The activation of the key that replaced it; `null` unless retired. */
  readonly retiredAt: number | null;
}

/** The ring at one instant, in activation order. */
export interface RingView {
  readonly keys: readonly KeyView[];
  readonly active: KeyView | undefined;
}

/** Activation order; the generation breaks ties (a later slot takes over). */
export function byActivation(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return a.activatesAt - b.activatesAt || a.generation - b.generation;
}

/** The states at `now` of keys already sorted {@link byActivation}. */
export function viewAt(sorted: readonly SigningKeyRecord[], now: number): RingView {
  let activeAt = -1;
  while (activeAt + 1 < sorted.length && sorted[activeAt + 1]!.activatesAt <= now) activeAt++;
  const keys = sorted.map(
    (record, i): KeyView =>
      i > activeAt
        ? { record, state: "next", retiredAt: null }
        : i === activeAt
          ? { record, state: "active", retiredAt: null }
          : { record, state: "retired", retiredAt: sorted[i + 1]!.activatesAt },
  );
  return { keys, active: keys[activeAt] };
}

/** Whether the key is still published at `now`: not retired longer than `retainMs` ago. */
export function isLive(key: KeyView, now: number, retainMs: number): boolean {
  return key.retiredAt === null || now - key.retiredAt <= retainMs;
}

/**
 * When the ring needs a new key: at once when it is empty, never while a
 * next key waits, else `publishAheadMs` before the active key's term ends.
 */
export function rotationDueAt(view: RingView, schedule: Schedule): number {
  if (view.keys.length === 0) return Number.NEGATIVE_INFINITY;
  // In activation order, a next key exists exactly when the active key is not the last.
  const active = view.active;
  if (active === undefined || active !== view.keys.at(-1)) return Number.POSITIVE_INFINITY;
  return active.record.activatesAt + schedule.rotateEveryMs - schedule.publishAheadMs;
}

/**
 * When a new key starts signing. The first key of an empty ring signs at
 * once (nothing could verify anything yet); a forced rotation after
 * `publishAheadMs`; a scheduled one when the active key's term ends, but
 * never before remote caches had `publishAheadMs` to learn it.
 */
export function activationOfNewKey(
  view: RingView,
  now: number,
  schedule: Schedule,
  forced: boolean,
): number {
  if (view.keys.length === 0) return now;
  const published = now + schedule.publishAheadMs;
  if (forced || view.active === undefined) return published;
  return Math.max(published, view.active.record.activatesAt + schedule.rotateEveryMs);
}

/**
 * The keys to sign with, best first: the active key, then (should it be
 * unusable here, say encrypted under a secret this instance lacks) the
 * still-published retired keys, newest first. With no active key yet (an
 * instance whose clock lags), the earliest next key.
 */
export function signingOrder(view: RingView, now: number, retainMs: number): KeyView[] {
  if (view.active === undefined) return view.keys.slice(0, 1);
  const order = [view.active];
  for (let i = view.keys.indexOf(view.active) - 1; i >= 0; i--) {
    const key = view.keys[i]!;
    if (isLive(key, now, retainMs)) order.push(key);
  }
  return order;
}
