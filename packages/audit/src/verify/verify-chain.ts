/**
 * Verifies one stream's hash chain and says where it breaks.
 *
 * @packageDocumentation
 */
import { parseOptions } from "@gatehouse/core";
import { z } from "zod";
import type { AuditEvent } from "../event.js";
import { malformed, toNode } from "./node.js";
import { ProblemList } from "./problems.js";
import type { VerifyOptions, VerifyResult } from "./result.js";
import { ChainWalk } from "./walk.js";
import { ChainWindow } from "./window.js";

/** Options of {@link verifyChain}. */
export interface VerifyChainOptions extends VerifyOptions {
  /** The stream the events belong to; events of another stream are reported. @default the first event's stream */
  readonly stream?: string;
  /**
   * The head a checkpoint signed: the chain must reach `seq`, and its event
   * there must have this `hash`. Catches a truncated tail (the last events
   * deleted) and a chain rewritten from the start. See `verifyCheckpoint`.
   * @default no expected head
   */
  readonly head?: { readonly seq: number; readonly hash: string };
}

const schema = z.strictObject({
  stream: z.string().optional(),
  head: z.strictObject({ seq: z.number().int().min(0), hash: z.string() }).optional(),
  allowPrunedStart: z.boolean().optional(),
  window: z.number().int().min(1).max(1_000_000).optional(),
  maxProblems: z.number().int().min(1).max(10_000_000).optional(),
  checkIdOrder: z.boolean().optional(),
});

type Events = AsyncIterable<AuditEvent> | Iterable<AuditEvent>;

function iterate(events: Events): AsyncIterator<AuditEvent> | Iterator<AuditEvent> {
  return Symbol.asyncIterator in events
    ? events[Symbol.asyncIterator]()
    : (events as Iterable<AuditEvent>)[Symbol.iterator]();
}

/**
 * Verifies the hash chain of one stream, reading its events in `seq` order
 * (as `findMany` ordered by `seq` returns them) once, holding only a window
 * around the current position. Every event's hash is recomputed, its personal
 * fields are checked against `piiDigest` (erased events: against nothing but
 * the stored digest the hash covers), and its links to its neighbours are
 * followed. Each problem says where: stream, seq and event id.
 *
 * Deleting the last events of a stream (or rewriting all of it) leaves a
 * valid chain: pass the `head` a checkpoint signed to catch that.
 *
 * @example
 * ```ts
 * const result = await verifyChain(events, { stream: "api-1" });
 * if (!result.ok) for (const p of result.problems) console.error(p.kind, p.seq, p.id, p.detail);
 * ```
 */
export async function verifyChain(
  events: Events,
  options: VerifyChainOptions = {},
): Promise<VerifyResult> {
  const o = parseOptions("verifyChain()", schema, options);
  const size = o.window ?? 1000;
  let stream = o.stream;
  const problems = new ProblemList(() => stream ?? "", o.maxProblems ?? 1000);
  const win = new ChainWindow(size);
  const input = iterate(events);

  let done = false;
  let arrival = 0;
  let checked = 0;
  let erased = 0;
  let lastArrivalSeq = 0;

  /** Reads the input until the window ahead is full. */
  async function fill(): Promise<void> {
    while (!done && win.pending < size) {
      const next = await input.next();
      if (next.done) {
        done = true;
        return;
      }
      const event = next.value;
      checked++;
      const bad = malformed(event);
      if (bad !== null) {
        const seq = Number.isSafeInteger(event?.seq) ? event.seq : 0;
        const id = typeof event?.id === "string" ? event.id : null;
        problems.add("altered", seq, id, `The event cannot be checked: ${bad}.`);
        continue;
      }
      stream ??= event.stream;
      if (event.seq < lastArrivalSeq) {
        problems.add(
          "reordered",
          event.seq,
          event.id,
          `It comes after seq ${lastArrivalSeq}: the events are not in seq order.`,
        );
      }
      lastArrivalSeq = Math.max(lastArrivalSeq, event.seq);
      if (event.erasedAt !== null && event.erasedAt !== undefined) erased++;
      win.add(toNode(event, arrival++));
    }
  }

  const walk = new ChainWalk(win, problems, {
    stream: () => stream,
    head: o.head,
    allowPrunedStart: o.allowPrunedStart ?? false,
    checkIdOrder: o.checkIdOrder ?? true,
  });
  for (;;) {
    await fill();
    if (win.pending === 0) break;
    walk.take(win.takeGroup());
  }
  walk.finish();

  return {
    ok: problems.size === 0,
    checked,
    streams:
      stream === undefined
        ? []
        : [
            {
              stream,
              checked,
              firstSeq: walk.firstSeq,
              headSeq: walk.last?.event.seq ?? null,
              headHash: walk.last?.event.hash ?? null,
              prunedStart: walk.prunedStart,
              erased,
            },
          ],
    problems: problems.list,
    problemsOmitted: problems.omitted,
  };
}
