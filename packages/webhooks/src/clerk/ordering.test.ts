import {
  createMemoryKeyValueStore,
  createMemoryRecordStore,
  type RecordStore,
} from "@gatehouse/core/store";
import { createFakeClock } from "@gatehouse/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signed } from "../inbound/test-helpers.js";
import { clerkSampleEvent } from "./fixtures.js";
import { clerkUserModel } from "./models.js";
import { syncSetup } from "./test-helpers.js";

const T = 1_767_225_600_000;
const ID = "user_ordering";

type Kind = "created" | "updated" | "deleted";

/** A user's created event, 0-4 updates and maybe a deletion, with distinct timestamps, in some delivery order. */
const scenario = fc
  .tuple(fc.integer({ min: 0, max: 4 }), fc.boolean())
  .chain(([updates, deleted]) => {
    const kinds: Kind[] = [
      "created",
      ...Array<Kind>(updates).fill("updated"),
      ...(deleted ? (["deleted"] as const) : []),
    ];
    const indices = kinds.map((_, i) => i);
    return fc.record({
      kinds: fc.constant(kinds),
      timestamps: fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), {
        minLength: kinds.length,
        maxLength: kinds.length,
      }),
      order: fc.shuffledSubarray(indices, { minLength: kinds.length, maxLength: kinds.length }),
    });
  });

type Scenario = { kinds: Kind[]; timestamps: number[]; order: number[] };

function eventOf(s: Scenario, i: number) {
  const timestamp = T + s.timestamps[i]!;
  const kind = s.kinds[i]!;
  if (kind === "deleted") return clerkSampleEvent("user.deleted", { timestamp, data: { id: ID } });
  return clerkSampleEvent(`user.${kind}`, {
    timestamp,
    data: { id: ID, first_name: `v${i}`, updated_at: timestamp },
  });
}

async function expectNewest(records: RecordStore, s: Scenario) {
  const newest = s.timestamps.indexOf(Math.max(...s.timestamps));
  const row = await records.findOne(clerkUserModel, { clerkId: ID });
  const ts = T + s.timestamps[newest]!;
  expect(row?.eventTimestamp).toBe(ts);
  if (s.kinds[newest] === "deleted") {
    expect(row?.deletedAt).toBe(ts);
  } else {
    expect(row).toMatchObject({ firstName: `v${newest}`, deletedAt: null });
  }
  expect((await records.findMany(clerkUserModel)).items).toHaveLength(1);
}

describe("Clerk sync ordering (property)", () => {
  it("ends in the state of the newest event, whatever the delivery order", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { receiver, records, clock } = syncSetup();
        for (const i of s.order) {
          expect((await receiver.handle(signed(eventOf(s, i), clock))).status).toBe(200);
        }
        await expectNewest(records, s);
      }),
      { numRuns: 300 },
    );
  });

  it("ends in the state of the newest event when deliveries race, in any interleaving", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.scheduler(), async (s, scheduler) => {
        const clock = createFakeClock();
        const real = createMemoryRecordStore({ clock });
        // Every store call resolves when the scheduler says: fast-check explores the interleavings.
        const records: RecordStore = {
          create: scheduler.scheduleFunction(real.create),
          findOne: scheduler.scheduleFunction(real.findOne),
          findMany: real.findMany,
          update: scheduler.scheduleFunction(real.update),
          delete: real.delete,
        } as RecordStore;
        const { receiver } = syncSetup(
          { records, kv: createMemoryKeyValueStore({ clock }) },
          clock,
        );
        const deliveries = s.order.map((i) => receiver.handle(signed(eventOf(s, i), clock)));
        const results = await scheduler.waitFor(Promise.all(deliveries));
        expect(results.every((r) => r.status === 200)).toBe(true);
        await expectNewest(real, s);
      }),
      { numRuns: 200 },
    );
  });
});
