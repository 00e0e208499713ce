import type { RecordStore } from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import { LastUsedWriter } from "./last-used.js";

function recording(): { records: RecordStore; writes: [string, unknown][] } {
  const writes: [string, unknown][] = [];
  const records = {
    update: async (_model: unknown, id: string, patch: { lastUsedAt: number }) => {
      writes.push([id, patch.lastUsedAt]);
      return {};
    },
  } as unknown as RecordStore;
  return { records, writes };
}

describe("LastUsedWriter", () => {
  it("writes each key at most once per interval", () => {
    const { records, writes } = recording();
    const writer = new LastUsedWriter(records, 1000);
    writer.touch("a", 0);
    writer.touch("a", 999);
    writer.touch("b", 500);
    writer.touch("a", 1000);
    expect(writes).toEqual([
      ["a", 0],
      ["b", 500],
      ["a", 1000],
    ]);
  });

  it("stays bounded, forgetting the longest-unwritten key first", () => {
    const { records, writes } = recording();
    const writer = new LastUsedWriter(records, 1000, 2);
    writer.touch("a", 0);
    writer.touch("b", 1);
    writer.touch("c", 2);
    writer.touch("b", 3);
    writer.touch("a", 4);
    expect(writes.map(([id]) => id)).toEqual(["a", "b", "c", "a"]);
  });

  it("writes every use with a zero interval", () => {
    const { records, writes } = recording();
    const writer = new LastUsedWriter(records, 0);
    writer.touch("a", 0);
    writer.touch("a", 0);
    expect(writes).toHaveLength(2);
  });
});
