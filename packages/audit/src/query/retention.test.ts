import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createMemoryRecordStore, type RecordStore } from "@gatehouse/core/store";
import { createFakeClock } from "@gatehouse/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { auditEventModel } from "../model.js";
import { buildChain, T0, writeEvents } from "../verify/test-chain.js";
import { retentionPolicy, startRetention } from "./retention.js";

const DAY = 86_400_000;

describe("retentionPolicy", () => {
  it("cuts off maxAgeDays before now", () => {
    const policy = retentionPolicy({ maxAgeDays: 90 });
    expect(policy.maxAgeDays).toBe(90);
    expect(policy.cutoff(T0)).toBe(T0 - 90 * DAY);
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it.each([[0], [1.5], [-3], [36_501], [Number.NaN]])("refuses maxAgeDays %s", (maxAgeDays) => {
    expect(() => retentionPolicy({ maxAgeDays })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });
});

describe("startRetention", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const count = async (records: RecordStore) =>
    (await records.findMany(auditEventModel, { limit: 1000 })).items.length;

  it("purges at once and then every intervalMs, by the clock; stop() ends it", async () => {
    const clock = createFakeClock(T0 + 100 * DAY);
    const records = createMemoryRecordStore();
    // One event a day for 20 days, ending 85 days ago.
    await writeEvents(
      records,
      buildChain(20, "r", (seq) => ({ time: T0 + (seq - 5) * DAY })),
    );
    const purged: [number, number][] = [];
    const task = startRetention(records, retentionPolicy({ maxAgeDays: 90 }), {
      intervalMs: DAY,
      clock,
      onPurged: (n, cutoff) => purged.push([n, cutoff]),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(purged).toEqual([[14, T0 + 10 * DAY]]); // the events of days -4 to 9 were older
    expect(await count(records)).toBe(6);

    clock.advance(2 * DAY);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(purged.at(-1)).toEqual([2, T0 + 12 * DAY]);
    expect(await count(records)).toBe(4);

    await task.stop();
    clock.advance(10 * DAY);
    await vi.advanceTimersByTimeAsync(5 * DAY);
    expect(purged).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("runOnce purges now; errors go to onError and the next run still happens", async () => {
    const failing = {
      findMany: vi.fn().mockRejectedValueOnce(new Error("db down")).mockResolvedValue({
        items: [],
        nextCursor: null,
      }),
    } as unknown as RecordStore;
    const errors: unknown[] = [];
    const task = startRetention(failing, retentionPolicy({ maxAgeDays: 1 }), {
      intervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toMatchObject([{ message: "db down" }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(failing.findMany).toHaveBeenCalledTimes(2);
    expect(await task.runOnce()).toBe(0);
    await task.stop();
  });

  it("refuses bad options and a policy not made by retentionPolicy()", () => {
    const records = createMemoryRecordStore();
    const policy = retentionPolicy({ maxAgeDays: 1 });
    for (const options of [{ intervalMs: 10 }, { clock: {} }, { onError: "log" }, { x: 1 }]) {
      expect(() => startRetention(records, policy, options as object)).toThrow(
        expect.objectContaining({ code: "config_invalid" }),
      );
    }
    expect(() => startRetention(records, { maxAgeDays: 1 } as never)).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });
});

describe("startRetention's timer", () => {
  it("does not keep the process alive (unref)", async () => {
    const pkg = join(dirname(fileURLToPath(import.meta.url)), "../..");
    const script = `
      import { createMemoryRecordStore } from "@gatehouse/core/store";
      import { retentionPolicy, startRetention } from "./src/query/retention.ts";
      startRetention(createMemoryRecordStore(), retentionPolicy({ maxAgeDays: 1 }), { intervalMs: 3_600_000 });
      console.log("started");
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@gatehouse/source", "--import", "tsx", "--input-type=module", "-e", script],
      // A kept-alive process would wait an hour: the timeout kills it and fails the test.
      { cwd: pkg, timeout: 10_000 },
    );
    expect(stdout).toBe("started\n");
  }, 20_000);
});
