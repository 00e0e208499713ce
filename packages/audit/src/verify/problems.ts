// Internal: collects problems up to a limit.
import type { ChainProblem, ChainProblemKind } from "./result.js";

/** The problems of one verification, at most `max` listed. */
export class ProblemList {
  readonly list: ChainProblem[] = [];
  omitted = 0;

  constructor(
    private readonly stream: () => string,
    private readonly max: number,
  ) {}

  add(kind: ChainProblemKind, seq: number, id: string | null, detail: string): void {
    if (this.list.length >= this.max) this.omitted++;
    else this.list.push({ stream: this.stream(), seq, id, kind, detail });
  }

  get size(): number {
    return this.list.length + this.omitted;
  }
}
