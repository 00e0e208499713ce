/**
 * Internal: the spool of one sink, a directory of JSON Lines segments
 * (`000000000001.jsonl`, …) holding chained events the sink could not take,
 * oldest first. Appends are fsync'd before they resolve; a segment is deleted
 * only after the sink took all of it. Used by one log at a time.
 *
 * @packageDocumentation
 */
import { mkdir, open, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { AuditEvent } from "../event.js";
import { toJsonLines } from "../sinks/jsonl.js";
import type { ChainHead } from "./chainer.js";

const SEGMENT = /^(\d{12})\.jsonl$/;
/** Events per segment file: a replay resends at most one segment after a crash. */
const SEGMENT_EVENTS = 2000;

/** The events of a segment, and how many of its lines could not be read. */
export interface SegmentContent {
  readonly events: AuditEvent[];
  readonly corrupt: number;
}

const segmentName = (n: number) => `${String(n).padStart(12, "0")}.jsonl`;

function isEvent(value: unknown): value is AuditEvent {
  const e = value as AuditEvent;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.id === "string" &&
    typeof e.stream === "string" &&
    Number.isSafeInteger(e.seq) &&
    typeof e.hash === "string"
  );
}

/** Parses a segment; a line that is not an event (a torn write, damage) is counted, not thrown. */
export function parseSegment(text: string): SegmentContent {
  const events: AuditEvent[] = [];
  let corrupt = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isEvent(value)) events.push(value);
      else corrupt++;
    } catch {
      corrupt++;
    }
  }
  return { events, corrupt };
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can fsync a directory (Windows): the file's own fsync still holds.
  }
}

/** A failed append: the first `written` events are safe in the spool, the rest are not. */
export class SpoolWriteError extends Error {
  readonly written: number;
  constructor(written: number, cause: unknown) {
    super(
      `the spool could not be written: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = "SpoolWriteError";
    this.written = written;
  }
}

/** A spool directory. */
export class Spool {
  readonly dir: string;
  /** Segment numbers on disk, oldest first. */
  #segments: number[] = [];
  /** The segment appends go to, and how many events it holds; undefined: start a new one. */
  #current: { n: number; events: number } | undefined;
  #scanned = false;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Whether events are waiting (after {@link scan}). */
  get pending(): boolean {
    return this.#segments.length > 0;
  }

  /** Finds the segments a previous process left; never appends to them (they may end in a torn line). */
  async scan(): Promise<void> {
    if (this.#scanned) return;
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as { code?: unknown }).code !== "ENOENT") throw err;
    }
    const found = names.flatMap((name) => {
      const m = SEGMENT.exec(name);
      return m ? [Number(m[1])] : [];
    });
    this.#segments = [...new Set([...this.#segments, ...found])].sort((a, b) => a - b);
    this.#scanned = true;
  }

  /**
   * Appends events (in order) and fsyncs them. On failure it rejects with a
   * {@link SpoolWriteError} telling how many of the events are safe.
   */
  async append(events: readonly AuditEvent[]): Promise<void> {
    let i = 0;
    try {
      await this.#append(events, (n) => {
        i = n;
      });
    } catch (err) {
      throw new SpoolWriteError(i, err);
    }
  }

  async #append(events: readonly AuditEvent[], progress: (n: number) => void): Promise<void> {
    await this.scan();
    for (let i = 0; i < events.length; ) {
      if (this.#current === undefined || this.#current.events >= SEGMENT_EVENTS) {
        const n = (this.#segments.at(-1) ?? 0) + 1;
        this.#current = { n, events: 0 };
        this.#segments.push(n);
        await mkdir(this.dir, { recursive: true });
      }
      const current = this.#current;
      const part = events.slice(i, i + SEGMENT_EVENTS - current.events);
      const path = join(this.dir, segmentName(current.n));
      const created = current.events === 0;
      const handle = await open(path, "a");
      try {
        await handle.write(toJsonLines(part));
        await handle.sync();
      } catch (err) {
        // Never append after a possibly torn line: the next append starts a new segment.
        this.#current = undefined;
        throw err;
      } finally {
        await handle.close();
      }
      if (created) await syncDir(this.dir);
      current.events += part.length;
      i += part.length;
      progress(i);
    }
  }

  /** The oldest segment's number and content, or undefined when empty. */
  async oldest(): Promise<{ n: number; content: SegmentContent } | undefined> {
    await this.scan();
    const n = this.#segments[0];
    if (n === undefined) return undefined;
    let text = "";
    try {
      text = await readFile(join(this.dir, segmentName(n)), "utf8");
    } catch (err) {
      if ((err as { code?: unknown }).code !== "ENOENT") throw err;
    }
    return { n, content: parseSegment(text) };
  }

  /** Deletes segment `n` once its events are safe in the sink. */
  async remove(n: number): Promise<void> {
    if (this.#current?.n === n) this.#current = undefined;
    await unlink(join(this.dir, segmentName(n))).catch((err) => {
      if ((err as { code?: unknown }).code !== "ENOENT") throw err;
    });
    this.#segments = this.#segments.filter((s) => s !== n);
  }

  /** The last position of `stream` in the spool (newest segment first), or undefined. */
  async lastOf(stream: string): Promise<ChainHead | undefined> {
    await this.scan();
    for (const n of [...this.#segments].reverse()) {
      let text: string;
      try {
        text = await readFile(join(this.dir, segmentName(n)), "utf8");
      } catch {
        continue;
      }
      let last: ChainHead | undefined;
      for (const event of parseSegment(text).events) {
        if (event.stream === stream && (last === undefined || event.seq > last.seq)) {
          last = { seq: event.seq, hash: event.hash };
        }
      }
      if (last) return last;
    }
    return undefined;
  }
}
