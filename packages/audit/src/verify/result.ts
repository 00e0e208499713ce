/**
 * What a chain verification reports: the problems it found, where, and a
 * summary per stream.
 *
 * @packageDocumentation
 */

/**
 * The kind of a chain problem.
 *
 * - `altered`: the stored hash does not match the event's content, or the
 *   personal fields no longer match `piiDigest` (while not erased), or a
 *   checkpoint's hash or signature does not match.
 * - `deleted`: a position is missing (a `seq` gap, a truncated tail), or an
 *   event's `prevHash` names a hash that is not the previous event's.
 * - `inserted`: an event that fits neither its position nor its links: a
 *   second event claiming a `seq`, a `seq` that jumps although `prevHash`
 *   follows the previous event, an event of another stream.
 * - `reordered`: an event stored at another position than the one its hash
 *   was made for, a `prevHash` linking to an event at another position, ids
 *   (UUIDv7, so time) going backwards in `seq` order, or an input not in
 *   `seq` order.
 */
export type ChainProblemKind = "altered" | "deleted" | "inserted" | "reordered";

/** One problem of a chain, and where it is. */
export interface ChainProblem {
  readonly stream: string;
  /** The position concerned: the event's `seq`, or the first missing one for `deleted`. */
  readonly seq: number;
  /** The event concerned; `null` when there is none (a missing position, a checkpoint). */
  readonly id: string | null;
  readonly kind: ChainProblemKind;
  /** A sentence for people: what does not match. Holds no personal data. */
  readonly detail: string;
}

/** What verification saw of one stream. */
export interface StreamSummary {
  readonly stream: string;
  /** Events read. */
  readonly checked: number;
  /** The first position present, or `null` for an empty stream. */
  readonly firstSeq: number | null;
  /** The last position of the chain, or `null` for an empty stream. */
  readonly headSeq: number | null;
  /** The hash at `headSeq`, or `null`. */
  readonly headHash: string | null;
  /**
   * Whether the stream starts after seq 1 and that was accepted
   * (`allowPrunedStart`): its first events were purged by retention, so
   * nothing before `firstSeq` could be checked.
   */
  readonly prunedStart: boolean;
  /** Events whose personal fields were erased: checked against their stored `piiDigest` only. */
  readonly erased: number;
}

/** The result of {@link verifyChain}, {@link verifyStream}, {@link verifyAll} and {@link verifyCheckpoint}. */
export interface VerifyResult {
  /** No problem found. */
  readonly ok: boolean;
  /** Events read, over all streams. */
  readonly checked: number;
  readonly streams: readonly StreamSummary[];
  /** The problems, in the order found (at most `maxProblems`). */
  readonly problems: readonly ChainProblem[];
  /** Problems found beyond `maxProblems`, not listed. */
  readonly problemsOmitted: number;
}

/** Options shared by the verify functions. */
export interface VerifyOptions {
  /**
   * Accept a stream whose first event has a `seq` above 1, because retention
   * purged its beginning (`purgeBefore`). The stream summary says so
   * (`prunedStart`). Nothing before the first remaining event can be checked.
   * @default false
   */
  readonly allowPrunedStart?: boolean;
  /**
   * How many events before and after the current one verification keeps to
   * tell a moved or inserted event from a deleted one. Memory grows with it;
   * problems further apart are still found but may be named less precisely.
   * @default 1000
   */
  readonly window?: number;
  /** Most problems listed; the rest are counted in `problemsOmitted`. @default 1000 */
  readonly maxProblems?: number;
  /**
   * Check that event ids (UUIDv7, made when the event was recorded) increase
   * with `seq`. Turn off for streams written by processes whose clocks
   * disagree.
   * @default true
   */
  readonly checkIdOrder?: boolean;
}

/** Merges the results of several streams. */
export function mergeResults(results: readonly VerifyResult[], maxProblems: number): VerifyResult {
  const problems: ChainProblem[] = [];
  let omitted = 0;
  for (const r of results) {
    omitted += r.problemsOmitted;
    for (const p of r.problems) {
      if (problems.length < maxProblems) problems.push(p);
      else omitted++;
    }
  }
  return {
    ok: problems.length === 0 && omitted === 0,
    checked: results.reduce((n, r) => n + r.checked, 0),
    streams: results.flatMap((r) => r.streams),
    problems,
    problemsOmitted: omitted,
  };
}
