// Sinks with `overlapWrites`: the log has up to two writes out at once, and a failure
// among them still leaves the spool in order and every event stored once.
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { fanOutSink } from "../sinks/fan-out.js";
import type { AuditSink } from "../types.js";
import { createAuditLog } from "./create.js";
import { chainProblems, failures, tempDir, testSink, waitFor } from "./test-helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
const spoolDir = () => {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
};

/** A write the test settles by hand. */
interface HeldWrite {
  readonly events: readonly AuditEvent[];
  land(): Promise<void>;
  fail(): void;
}

/** An overlapping sink whose writes wait for the test, until `passThrough` is set. */
function heldSink() {
  const store = testSink("held");
  const held: HeldWrite[] = [];
  let out = 0;
  const state = { held, store, passThrough: false, most: 0 };
  const sink: AuditSink = {
    name: "held",
    overlapWrites: true,
    async write(events) {
      if (state.passThrough) return store.write(events);
      out++;
      state.most = Math.max(state.most, out);
      try {
        await new Promise<void>((resolve, reject) => {
          held.push({
            events,
            land: async () => {
              await store.write(events);
              resolve();
            },
            fail: () => reject(new Error("write refused (test)")),
          });
        });
      } finally {
        out--;
      }
    },
  };
  return { sink, ...state, state };
}

const seqs = (events: readonly AuditEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("overlapWrites", () => {
  it("sends the next batch while one is out, never more than two, and lands them in order", async () => {
    const { sink, held, store, state } = heldSink();
    const log = createAuditLog({ sinks: [sink], batchSize: 10, spoolDir: spoolDir() });
    for (let i = 0; i < 40; i++) log.record({ action: "a.b", metadata: { i } });
    const flushed = log.flush();
    await waitFor(() => held.length === 2, "two writes out");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(held).toHaveLength(2); // not a third while two are out
    expect(seqs(held[0]!.events)).toEqual(range(1, 10));
    expect(seqs(held[1]!.events)).toEqual(range(11, 20));
    // The second lands first; the log still counts them in order and sends the third.
    await held[1]!.land();
    await held[0]!.land();
    await waitFor(() => held.length === 4, "the next two writes");
    await held[2]!.land();
    await held[3]!.land();
    await flushed;
    expect(state.most).toBe(2);
    expect(log.stats).toMatchObject({ written: 40, spooled: 0, queued: 0 });
    expect(chainProblems(store.events.values())).toEqual([]);
    await log.close();
  });

  it("spools failed writes in batch order, even when the later one fails first, and replays them in order", async () => {
    const { sink, held, store, state } = heldSink();
    const seen = failures();
    const log = createAuditLog({
      sinks: [sink],
      batchSize: 10,
      spoolDir: spoolDir(),
      onError: seen.onError,
    });
    for (let i = 0; i < 20; i++) log.record({ action: "a.b" });
    const flushed = log.flush();
    await waitFor(() => held.length === 2, "two writes out");
    held[1]!.fail();
    await new Promise((resolve) => setTimeout(resolve, 10));
    held[0]!.fail();
    await flushed;
    expect(log.stats).toMatchObject({ written: 0, spooled: 20, lost: 0 });
    expect(seen.seen.filter((f) => f.kind === "sink")).toHaveLength(1);

    state.passThrough = true;
    await log.flush(); // the probe replays the spool
    expect(seqs(store.order.map((id) => store.events.get(id)!))).toEqual(range(1, 20));
    expect(log.stats).toMatchObject({ replayed: 20, lost: 0 });
    await log.close();
  });

  it("a batch that lands while the one before it fails: the failed one is replayed, each event stored once", async () => {
    const { sink, held, store, state } = heldSink();
    const log = createAuditLog({
      sinks: [sink],
      batchSize: 10,
      spoolDir: spoolDir(),
      onError: () => {},
    });
    for (let i = 0; i < 20; i++) log.record({ action: "a.b" });
    const flushed = log.flush();
    await waitFor(() => held.length === 2, "two writes out");
    await held[1]!.land();
    held[0]!.fail();
    await flushed;
    expect(log.stats).toMatchObject({ written: 10, spooled: 10 });
    expect([...store.events.values()].map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      range(11, 20),
    );

    state.passThrough = true;
    await log.close(); // flushes: the probe replays the failed batch
    expect(store.events.size).toBe(20);
    expect(store.resent).toBe(0);
    expect(chainProblems(store.events.values())).toEqual([]);
    expect(log.stats).toMatchObject({ replayed: 10, lost: 0 });
  });

  it("is off unless every sink has it: then one write at a time", async () => {
    const { sink, held } = heldSink();
    const log = createAuditLog({
      sinks: [sink, testSink("in-order")],
      batchSize: 10,
      spoolDir: spoolDir(),
    });
    for (let i = 0; i < 20; i++) log.record({ action: "a.b" });
    const flushed = log.flush();
    await waitFor(() => held.length === 1, "the first write");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(held).toHaveLength(1);
    await held[0]!.land();
    await waitFor(() => held.length === 2, "the second write");
    await held[1]!.land();
    await flushed;
    await log.close();
  });

  it("fanOutSink has it only when every sink inside has it", () => {
    const overlapping = heldSink().sink;
    expect(fanOutSink([overlapping, heldSink().sink]).overlapWrites).toBe(true);
    expect(fanOutSink([overlapping, testSink()]).overlapWrites).toBe(false);
    expect(fanOutSink([]).overlapWrites).toBe(false);
  });
});
