import { createMemoryRecordStore, type RecordStore } from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import { makeEvents } from "../log/test-helpers.js";
import { auditEventModel } from "../model.js";
import { recordStoreSink } from "./record-store.js";

/** A store without the optional createMany, as an older adapter would be. */
function withoutCreateMany(records: RecordStore): RecordStore {
  const { createMany: _, ...rest } = records;
  return {
    ...rest,
    create: records.create.bind(records),
    findOne: records.findOne.bind(records),
    findMany: records.findMany.bind(records),
    update: records.update.bind(records),
    delete: records.delete.bind(records),
  };
}

describe.each([
  ["createMany", (r: RecordStore) => r],
  ["createManyFallback", withoutCreateMany],
])("recordStoreSink (%s)", (_, adapt) => {
  it("stores each event as a record with its position, idempotently", async () => {
    const records = createMemoryRecordStore();
    const sink = recordStoreSink(adapt(records));
    const events = makeEvents(1203, "s1");
    await sink.write(events); // more than one createMany chunk
    await sink.write(events.slice(100, 700)); // a replay
    const { items } = await records.findMany(auditEventModel, {
      where: { stream: "s1", seq: 2 },
    });
    expect(items).toEqual([
      expect.objectContaining({ ...events[1], position: "s1#2", version: 1 }),
    ]);
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await records.findMany(auditEventModel, {
        limit: 1000,
        ...(cursor && { cursor }),
      });
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(count).toBe(1203);
  });

  it("head() is the last position of a stream, undefined for an empty one", async () => {
    const records = createMemoryRecordStore();
    const sink = recordStoreSink(adapt(records));
    expect(await sink.head!("s2")).toBeUndefined();
    const events = makeEvents(5, "s2");
    await sink.write([...events].reverse());
    await sink.write(makeEvents(9, "other"));
    expect(await sink.head!("s2")).toEqual({ seq: 5, hash: events[4]!.hash });
  });

  it("rejects when the store does, so the log spools", async () => {
    const records = createMemoryRecordStore({ maxRecordsPerModel: 3 });
    const sink = recordStoreSink(adapt(records));
    await expect(sink.write(makeEvents(4))).rejects.toMatchObject({ code: "store_unavailable" });
  });
});
