// Internal: the events verification holds around the current position — up
// to `size` ahead (sorted by seq) and `size` behind — indexed by hash, so a
// moved, inserted or deleted event can be told apart without loading the
// whole stream.
import { type ChainNode, hashAt } from "./node.js";

function push(map: Map<string, ChainNode[]>, key: string, node: ChainNode): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [node]);
  else list.push(node);
}

function remove(map: Map<string, ChainNode[]>, key: string, node: ChainNode): void {
  const list = map.get(key);
  if (list === undefined) return;
  const rest = list.filter((n) => n !== node);
  if (rest.length === 0) map.delete(key);
  else map.set(key, rest);
}

/** A queue with O(1) removal at the front (an array and a start index, compacted now and then). */
class Queue<T> {
  private items: T[] = [];
  private start = 0;

  get length(): number {
    return this.items.length - this.start;
  }

  at(i: number): T | undefined {
    return this.items[this.start + i];
  }

  /** Inserts before position `i` (`length` appends). */
  insert(i: number, item: T): void {
    if (i === this.length) this.items.push(item);
    else this.items.splice(this.start + i, 0, item);
  }

  shift(): T | undefined {
    if (this.start >= this.items.length) return undefined;
    const item = this.items[this.start++];
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return item;
  }
}

/** The window of events around the current position. */
export class ChainWindow {
  /** Not yet processed, sorted by `seq` then arrival. */
  private readonly ahead = new Queue<ChainNode>();
  private readonly behind = new Queue<ChainNode>();
  private readonly byHash = new Map<string, ChainNode[]>();
  private readonly byPrev = new Map<string, ChainNode[]>();
  /** Nodes whose hash does not verify where they are: maybe moved. */
  private readonly suspects = new Set<ChainNode>();

  constructor(private readonly size: number) {}

  /** Events read but not yet processed. */
  get pending(): number {
    return this.ahead.length;
  }

  /** Adds an event read from the input. */
  add(node: ChainNode): void {
    let i = this.ahead.length;
    while (i > 0 && this.ahead.at(i - 1)!.event.seq > node.event.seq) i--;
    this.ahead.insert(i, node);
    push(this.byHash, node.event.hash, node);
    if (node.recomputed !== node.event.hash) push(this.byHash, node.recomputed, node);
    push(this.byPrev, node.event.prevHash, node);
    if (!node.hashOk) this.suspects.add(node);
  }

  /** Removes and returns every event at the lowest `seq` ahead. */
  takeGroup(): ChainNode[] {
    const seq = this.ahead.at(0)?.event.seq;
    const group: ChainNode[] = [];
    while (this.ahead.length > 0 && this.ahead.at(0)!.event.seq === seq)
      group.push(this.ahead.shift()!);
    return group;
  }

  /** Keeps a processed event behind, forgetting the oldest beyond the window. */
  retire(node: ChainNode): void {
    this.behind.insert(this.behind.length, node);
    while (this.behind.length > this.size) {
      const old = this.behind.shift()!;
      remove(this.byHash, old.event.hash, old);
      remove(this.byHash, old.recomputed, old);
      remove(this.byPrev, old.event.prevHash, old);
      this.suspects.delete(old);
    }
  }
  /** Events in the window (other than `except`) whose hash is `hash`. */
  withHash(hash: string, except?: ChainNode): ChainNode[] {
    return (this.byHash.get(hash) ?? []).filter((n) => n !== except);
  }

  /** Events in the window (other than `except`) whose `prevHash` is `hash`. */
  following(hash: string, except?: ChainNode): ChainNode[] {
    return (this.byPrev.get(hash) ?? []).filter((n) => n !== except);
  }

  /**
   * The position `node`'s hash was made for: its stored `seq` when the hash
   * verifies there, else one after the event its `prevHash` names, if the hash
   * verifies at that position (the event was moved), else its stored `seq`.
   */
  trueSeq(node: ChainNode, depth = 0): number {
    if (node.trueSeq !== undefined) return node.trueSeq;
    const seq = node.event.seq;
    if (node.hashOk || depth > 16) return seq;
    let candidate: number | undefined;
    if (node.event.prevHash === "") candidate = 1;
    else {
      const pred = this.withHash(node.event.prevHash, node)[0];
      if (pred !== undefined) candidate = this.trueSeq(pred, depth + 1) + 1;
    }
    if (candidate === undefined || candidate === seq) return seq; // perhaps known later
    if (hashAt(node, candidate) !== node.event.hash) {
      node.trueSeq = seq;
      return seq;
    }
    node.trueSeq = candidate;
    return candidate;
  }

  /** Whether `node` sits at another position than the one its hash was made for. */
  isMoved(node: ChainNode): boolean {
    return this.trueSeq(node) !== node.event.seq;
  }

  /** A moved event in the window whose hash was made for position `seq`. */
  movedTo(seq: number): ChainNode | undefined {
    for (const node of this.suspects) {
      if (this.trueSeq(node) === seq && node.event.seq !== seq) return node;
    }
    return undefined;
  }

  /** The positions in [from, to] that moved events in the window were made for. */
  claimed(from: number, to: number): Map<number, ChainNode> {
    const found = new Map<number, ChainNode>();
    for (const node of this.suspects) {
      const t = this.trueSeq(node);
      if (t >= from && t <= to && t !== node.event.seq) found.set(t, node);
    }
    return found;
  }
}
