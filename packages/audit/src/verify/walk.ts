// Internal: walks a chain position by position. For each `seq` it takes the
// events claiming it, decides which one the chain links (the genuine one), and
// reports the others, the gaps and the broken links — with the window's help
// to tell a moved event from a deleted one and a forged one from the original.
import { type ChainNode, hashIs } from "./node.js";
import type { ProblemList } from "./problems.js";
import type { ChainWindow } from "./window.js";

/** What the walk is told. */
export interface WalkOptions {
  readonly stream: () => string | undefined;
  readonly head: { readonly seq: number; readonly hash: string } | undefined;
  readonly allowPrunedStart: boolean;
  readonly checkIdOrder: boolean;
}

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const span = (from: number, to: number) =>
  from === to ? `seq ${from} is` : `seqs ${from}-${to} are`;

/** The walk over one stream's positions. */
export class ChainWalk {
  /** The position being checked. */
  private s = 1;
  /** The genuine event at `s - 1`: `null` at the start, `undefined` when unknown (after a gap, a pruned start). */
  private tip: ChainNode | null | undefined = null;
  /** The last event taken as genuine, and whether it had no problem. */
  last: ChainNode | undefined;
  private lastClean = true;
  private headNode: ChainNode | undefined;
  firstSeq: number | null = null;
  prunedStart = false;

  constructor(
    private readonly win: ChainWindow,
    private readonly problems: ProblemList,
    private readonly o: WalkOptions,
  ) {}

  /** Takes the events at the lowest `seq` the window holds. */
  take(events: readonly ChainNode[]): void {
    const { win, problems } = this;
    const group: ChainNode[] = [];
    for (const node of events) {
      const { seq, id, stream } = node.event;
      if (stream !== this.o.stream() && node.hashOk) {
        problems.add("inserted", seq, id, `It belongs to stream "${stream}".`);
      } else if (win.isMoved(node)) {
        const made = win.trueSeq(node);
        problems.add(
          "reordered",
          seq,
          id,
          `It is stored at seq ${seq} but its hash was made for seq ${made}.`,
        );
      } else if (this.firstSeq !== null && seq < this.s) {
        problems.add(
          "reordered",
          seq,
          id,
          `It comes after seq ${this.s - 1}, too late to be checked in its place.`,
        );
      } else {
        group.push(node);
        continue;
      }
      win.retire(node);
    }
    if (group.length > 0) this.position(group);
  }

  private position(group: ChainNode[]): void {
    const seq = group[0]!.event.seq;
    if (this.firstSeq === null) {
      this.firstSeq = seq;
      if (seq > 1 && this.o.allowPrunedStart) {
        this.prunedStart = true;
        this.s = seq;
        this.tip = undefined;
      }
    }
    let jumped = false;
    if (seq > this.s) {
      const tip = this.tip;
      if (tip && group.every((n) => hashIs(tip, n.event.prevHash))) {
        jumped = true;
        for (const { event } of group) {
          const from = this.s - 1;
          this.problems.add(
            "inserted",
            seq,
            event.id,
            `Its seq jumps from ${from} to ${seq} although its prevHash follows seq ${from}.`,
          );
        }
      } else {
        this.gap(this.s, seq - 1, group[0]!);
      }
      this.s = seq;
    }
    this.check(group, jumped);
    this.s++;
  }

  /** Whether `node` follows the genuine event at `s - 1`; `undefined` when that is unknown. */
  private links(node: ChainNode): boolean | undefined {
    const { tip, s } = this;
    if (tip === undefined) return undefined;
    if (tip === null) return node.event.prevHash === "";
    if (hashIs(tip, node.event.prevHash)) return true;
    return this.win.withHash(node.event.prevHash, node).some((p) => this.win.trueSeq(p) === s - 1);
  }

  /** Whether an event after `node` links to it; `undefined` when nothing comes after. */
  private isFollowed(node: ChainNode, group: readonly ChainNode[]): boolean | undefined {
    const after = [
      ...this.win.following(node.event.hash, node),
      ...(node.recomputed === node.event.hash ? [] : this.win.following(node.recomputed, node)),
    ];
    if (after.some((m) => !group.includes(m))) return true;
    if (this.o.head?.seq === this.s) return hashIs(node, this.o.head.hash);
    return this.win.pending > 0 ? false : undefined;
  }

  /** Reports the positions [from, to] as missing, unless moved events were made for them. */
  private gap(from: number, to: number, next: ChainNode | undefined): void {
    const claimed = this.win.claimed(from, to);
    const where =
      next === undefined
        ? "at the end of the stream"
        : `before seq ${next.event.seq} (id ${next.event.id})`;
    const report = (a: number, b: number) =>
      this.problems.add("deleted", a, null, `${span(a, b)} missing ${where}.`);
    // Moved events are few: walk the positions they claim, not the whole gap.
    let at = from;
    for (const t of [...claimed.keys()].sort((a, b) => a - b)) {
      if (t > at) report(at, t - 1);
      at = t + 1;
    }
    if (at <= to) report(at, to);
    const head = this.o.head?.seq;
    if (head !== undefined && claimed.has(head)) this.headNode = claimed.get(head);
    this.tip = claimed.get(to);
  }

  /** The event of a group the chain most likely links. */
  private genuine(group: readonly ChainNode[]): ChainNode {
    if (group.length === 1) return group[0]!;
    const score = (node: ChainNode) =>
      (node.hashOk ? 8 : 0) +
      (this.isFollowed(node, group) === true ? 4 : 0) +
      (this.links(node) === true ? 2 : 0) +
      (node.selfProblem === null ? 1 : 0);
    let best = group[0]!;
    let bestScore = -1;
    for (const node of group) {
      const value = score(node);
      if (value > bestScore) [best, bestScore] = [node, value];
    }
    return best;
  }

  /** Checks the events claiming position `s`; one of them is taken as genuine. */
  private check(group: ChainNode[], jumped: boolean): void {
    const { s, problems } = this;
    const genuine = this.genuine(group);
    const e = genuine.event;
    for (const node of group) {
      if (node === genuine) continue;
      const event = node.event;
      const copy = event.id === e.id && event.hash === e.hash;
      problems.add(
        "inserted",
        s,
        event.id,
        copy
          ? "It is a second copy of this event."
          : `It claims seq ${s} like event ${e.id}, which the chain links instead.`,
      );
    }
    const link = this.links(genuine);
    const previous = `seq ${s - 1}`;
    let clean = !jumped;
    if (genuine.selfProblem !== null) {
      problems.add("altered", s, e.id, `The event was changed: ${genuine.selfProblem}.`);
      clean = false;
    } else if (link === false) {
      clean = false;
      // Right after a reported event, a broken link is that problem's echo.
      if (this.lastClean) this.brokenLink(genuine, group);
    } else if (this.outOfOrder(e.id)) {
      clean = false;
      problems.add(
        "reordered",
        s,
        e.id,
        `Its id (a UUIDv7) is not after the id of ${previous}: seq order and recording order disagree.`,
      );
    }
    for (const node of group) this.win.retire(node);
    this.tip = genuine;
    this.last = genuine;
    this.lastClean = clean;
    if (this.o.head?.seq === s) this.headNode = genuine;
  }

  /** Reports an event whose `prevHash` is not the hash of the event before it. */
  private brokenLink(node: ChainNode, group: readonly ChainNode[]): void {
    const { s, problems } = this;
    const e = node.event;
    const previous = s === 1 ? "the start of the stream" : `seq ${s - 1}`;
    const pointed = this.win.withHash(e.prevHash, node).find((p) => p !== this.tip);
    if (pointed !== undefined) {
      const { seq, id } = pointed.event;
      problems.add(
        "reordered",
        s,
        e.id,
        `Its prevHash links to seq ${seq} (id ${id}), not to ${previous}.`,
      );
    } else if (s === 1 || this.isFollowed(node, group) === true) {
      problems.add(
        "deleted",
        s,
        e.id,
        `Its prevHash is not the hash of ${previous}: the event it followed was removed or replaced.`,
      );
    } else {
      problems.add(
        "inserted",
        s,
        e.id,
        `Neither its prevHash nor the next event's prevHash fit ${previous}.`,
      );
    }
  }

  /** Whether `id` is not after the previous genuine event's id (both UUIDv7). */
  private outOfOrder(id: string): boolean {
    const before = this.last?.event.id;
    return (
      this.o.checkIdOrder &&
      this.lastClean &&
      before !== undefined &&
      UUIDV7.test(id) &&
      UUIDV7.test(before) &&
      id <= before
    );
  }

  /** After the last event: positions moved away, then the checkpointed head. */
  finish(): void {
    const { win, problems, o } = this;
    for (let moved = win.movedTo(this.s); moved !== undefined; moved = win.movedTo(++this.s)) {
      if (o.head?.seq === this.s) this.headNode = moved;
    }
    const head = o.head;
    if (head === undefined || head.seq === 0) return;
    const end = this.s - 1;
    if (end < head.seq) {
      problems.add(
        "deleted",
        this.s,
        null,
        this.firstSeq === null
          ? `The stream is empty but a checkpoint signed seq ${head.seq}: its events were removed.`
          : `The stream ends at seq ${end} but a checkpoint signed seq ${head.seq}: the events after seq ${end} were removed.`,
      );
    } else if (this.headNode !== undefined && !hashIs(this.headNode, head.hash)) {
      problems.add(
        "altered",
        head.seq,
        this.headNode.event.id,
        "Its hash differs from the one the checkpoint signed: the chain was rewritten up to here.",
      );
    }
  }
}
