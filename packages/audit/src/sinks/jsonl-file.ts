/**
 * The JSON Lines file sink, with size-based rotation.
 *
 * @packageDocumentation
 */
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { parseOptions } from "@gatehouse/core";
import { z } from "zod";
import type { AuditEvent } from "../event.js";
import type { AuditSink } from "../types.js";
import { toJsonLines } from "./jsonl.js";

/** Options of {@link jsonlFileSink}. */
export interface JsonlFileSinkOptions {
  /** The file events are appended to; its directory is created if missing. */
  readonly path: string;
  /**
   * Rotate when a batch would take the file past this many bytes: `path`
   * becomes `path.1`, `path.1` becomes `path.2`, and so on.
   * @default no rotation
   */
  readonly maxBytes?: number;
  /**
   * Rotated files kept (`path.1` … `path.N`); the oldest beyond them is
   * deleted. Keep as many as your retention policy requires.
   * @default 10
   */
  readonly maxFiles?: number;
}

const schema = z.strictObject({
  path: z.string().min(1),
  maxBytes: z.number().int().min(1024).optional(),
  maxFiles: z.number().int().min(1).max(10_000).optional(),
});

/** Ids remembered to skip events already written (replays after an outage). */
const WINDOW = 20_000;
/** How much of an existing file's end is read at open to remember its ids. */
const TAIL_BYTES = 1_048_576;

const ENOENT = (err: unknown) => (err as { code?: unknown }).code === "ENOENT";

/**
 * A sink appending one JSON line per event to a file, `fsync`ed per batch,
 * rotated by size. Idempotent within a window: it remembers the ids of the
 * last 20,000 events it wrote (also those at the end of the file when it
 * opens) and skips them when a batch is replayed. Beyond that window a replay
 * may repeat lines, so a reader should dedupe by `id` (the chain's `seq`
 * orders them).
 *
 * @example
 * ```ts
 * jsonlFileSink({ path: "/var/log/app/audit.jsonl", maxBytes: 100 * 1024 * 1024, maxFiles: 30 });
 * ```
 */
export function jsonlFileSink(options: JsonlFileSinkOptions): AuditSink {
  const o = parseOptions("jsonlFileSink()", schema, options);
  const path = o.path;
  const maxFiles = o.maxFiles ?? 10;
  const recent = new Set<string>();
  let file: FileHandle | undefined;
  let size = 0;
  // One operation at a time: writes from a replay and a late abandoned write never interleave.
  let tail: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn);
    tail = next.catch(() => {});
    return next;
  };

  const remember = (id: string) => {
    recent.add(id);
    if (recent.size > WINDOW) recent.delete(recent.values().next().value as string);
  };

  async function openFile(): Promise<FileHandle> {
    if (file) return file;
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, "a+");
    try {
      size = (await handle.stat()).size;
      if (size > 0) {
        const start = Math.max(0, size - TAIL_BYTES);
        const buffer = Buffer.alloc(size - start);
        await handle.read(buffer, 0, buffer.length, start);
        const lines = buffer.toString("utf8").split("\n");
        if (start > 0) lines.shift(); // cut mid-line
        for (const line of lines) rememberLine(line);
        // A crash mid-write left a partial line: end it, so the next event starts a line.
        if (buffer.at(-1) !== 0x0a) {
          await handle.write("\n");
          size++;
        }
      }
    } catch (err) {
      await handle.close();
      throw err;
    }
    file = handle;
    return handle;
  }

  function rememberLine(line: string): void {
    if (line === "") return;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === "string") remember(id);
    } catch {
      // a partial line: nothing to remember
    }
  }

  async function rotate(): Promise<void> {
    await file?.close();
    file = undefined;
    await unlink(`${path}.${maxFiles}`).catch((err) => {
      if (!ENOENT(err)) throw err;
    });
    for (let i = maxFiles - 1; i >= 1; i--) {
      await rename(`${path}.${i}`, `${path}.${i + 1}`).catch((err) => {
        if (!ENOENT(err)) throw err;
      });
    }
    await rename(path, `${path}.1`);
  }

  async function append(events: readonly AuditEvent[]): Promise<void> {
    let handle = await openFile(); // first: it remembers the ids at the end of the file
    const seen = new Set<string>();
    const fresh = events.filter((e) => !recent.has(e.id) && !seen.has(e.id) && seen.add(e.id));
    if (fresh.length === 0) return;
    const text = toJsonLines(fresh);
    const bytes = Buffer.byteLength(text);
    if (o.maxBytes !== undefined && size > 0 && size + bytes > o.maxBytes) {
      await rotate();
      handle = await openFile();
    }
    try {
      await handle.write(text);
      await handle.sync();
    } catch (err) {
      // Reopen next time (and end a partial line there).
      file = undefined;
      await handle.close().catch(() => {});
      throw err;
    }
    size += bytes;
    for (const event of fresh) remember(event.id);
  }

  return {
    name: "file",
    write: (events) => serially(() => append(events)),
    close: () =>
      serially(async () => {
        await file?.close();
        file = undefined;
      }),
  };
}
