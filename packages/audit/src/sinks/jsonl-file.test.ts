import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { makeEvents, tempDir } from "../log/test-helpers.js";
import { jsonlFileSink } from "./jsonl-file.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
}
const lines = (path: string): AuditEvent[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);

describe("jsonlFileSink", () => {
  it("appends one JSON line per event, creating the directory", async () => {
    const path = join(dir(), "nested", "audit.jsonl");
    const sink = jsonlFileSink({ path });
    const events = makeEvents(5);
    await sink.write(events.slice(0, 2));
    await sink.write(events.slice(2));
    await sink.close!();
    expect(lines(path)).toEqual(events);
    expect(readFileSync(path, "utf8").endsWith("\n")).toBe(true);
  });

  it("skips events it already wrote (a replay), also after a reopen", async () => {
    const path = join(dir(), "audit.jsonl");
    const events = makeEvents(10);
    const first = jsonlFileSink({ path });
    await first.write(events.slice(0, 6));
    await first.write(events.slice(3, 8)); // 3-5 again
    await first.close!();
    const second = jsonlFileSink({ path });
    await second.write(events); // 0-7 again: only 8 and 9 are new
    await second.close!();
    expect(lines(path).map((e) => e.seq)).toEqual([...Array(10).keys()].map((i) => i + 1));
  });

  it("ends a line a crash left half-written before appending", async () => {
    const path = join(dir(), "audit.jsonl");
    const events = makeEvents(3);
    const first = jsonlFileSink({ path });
    await first.write(events.slice(0, 1));
    await first.close!();
    appendFileSync(path, '{"id":"torn'); // a write cut short
    const second = jsonlFileSink({ path });
    await second.write(events.slice(1));
    await second.close!();
    const raw = readFileSync(path, "utf8").split("\n");
    expect(raw[1]).toBe('{"id":"torn');
    expect(JSON.parse(raw[2]!)).toEqual(events[1]);
    expect(JSON.parse(raw[3]!)).toEqual(events[2]);
  });

  it("rotates by size (path.1 newest) and keeps maxFiles rotated files", async () => {
    const d = dir();
    const path = join(d, "audit.jsonl");
    const sink = jsonlFileSink({ path, maxBytes: 2048, maxFiles: 2 });
    const events = makeEvents(40);
    for (let i = 0; i < events.length; i += 2) await sink.write(events.slice(i, i + 2));
    await sink.close!();
    expect(readdirSync(d).sort()).toEqual(["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]);
    for (const file of readdirSync(d)) {
      expect(readFileSync(join(d, file)).length).toBeLessThanOrEqual(2048);
    }
    // Oldest file first, then newer ones: seqs run on without a gap, and the
    // oldest rotated files beyond maxFiles are gone.
    const kept = [...lines(`${path}.2`), ...lines(`${path}.1`), ...lines(path)].map((e) => e.seq);
    expect(kept.at(-1)).toBe(40);
    expect(kept).toEqual([...Array(kept.length).keys()].map((i) => 41 - kept.length + i));
    expect(kept.length).toBeLessThan(40);
  });

  it("serialises overlapping writes (a late abandoned write and a replay)", async () => {
    const path = join(dir(), "audit.jsonl");
    const sink = jsonlFileSink({ path });
    const events = makeEvents(200);
    await Promise.all([
      sink.write(events.slice(0, 100)),
      sink.write(events.slice(50, 150)),
      sink.write(events.slice(100)),
    ]);
    await sink.close!();
    const ids = lines(path).map((e) => e.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
  });

  it("rejects when the file cannot be written", async () => {
    const d = dir();
    const blocked = join(d, "blocked");
    appendFileSync(blocked, ""); // a file where the directory should be
    const sink = jsonlFileSink({ path: join(blocked, "audit.jsonl") });
    await expect(sink.write(makeEvents(1))).rejects.toThrow();
    expect(existsSync(join(blocked, "audit.jsonl"))).toBe(false);
  });

  it("refuses bad options with config_invalid", () => {
    expect(() => jsonlFileSink({ path: "" })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
    expect(() => jsonlFileSink({ path: "x", maxBytes: 10 })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });
});
