import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditSink } from "../types.js";
import { createAuditLog } from "./create.js";
import { chainProblems, testSink, waitFor } from "./test-helpers.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("batching", () => {
  it("flushes once batchSize events are queued, in batches of batchSize", async () => {
    const sink = testSink();
    const log = createAuditLog({ sinks: [sink], batchSize: 10, flushIntervalMs: 3_600_000 });
    for (let i = 0; i < 9; i++) log.record({ action: "a.b" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.writes).toEqual([]);
    expect(log.stats.queued).toBe(9);
    for (let i = 0; i < 16; i++) log.record({ action: "a.b" });
    await waitFor(() => sink.events.size === 20, "two full batches");
    expect(sink.writes).toEqual([10, 10]);
    expect(log.stats.queued).toBe(5); // a partial batch waits for the timer or flush()
    await log.flush();
    expect(sink.writes).toEqual([10, 10, 5]);
    await log.close();
  });

  it("flushes a partial batch every flushIntervalMs", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const sink = testSink();
    const log = createAuditLog({ sinks: [sink], batchSize: 500, flushIntervalMs: 1000 });
    log.record({ action: "a.b" });
    log.record({ action: "a.b" });
    vi.advanceTimersByTime(999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.writes).toEqual([]);
    vi.advanceTimersByTime(1);
    await waitFor(() => sink.events.size === 2, "the timed flush");
    expect(sink.writes).toEqual([2]);
    await log.close();
  });

  it("the flush timer does not keep the process alive", () => {
    const spy = vi.spyOn(globalThis, "setInterval");
    const log = createAuditLog({ sinks: [testSink()] });
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    spy.mockRestore();
    return log.close();
  });

  it("runs one flush at a time and keeps queue order across batches", async () => {
    let active = 0;
    let most = 0;
    const inner = testSink();
    const sink: AuditSink = {
      name: "slow",
      async write(events) {
        active++;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        await inner.write(events);
        active--;
      },
    };
    const log = createAuditLog({ sinks: [sink], batchSize: 7 });
    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      log.record({ action: "a.b", metadata: { i } });
      if (i % 13 === 0) flushes.push(log.flush());
    }
    flushes.push(log.flush());
    await Promise.all(flushes);
    expect(most).toBe(1);
    const events = inner.order.map((id) => inner.events.get(id)!);
    expect(events.map((e) => (e.metadata as { i: number }).i)).toEqual([...Array(100).keys()]);
    expect(events.map((e) => e.seq)).toEqual([...Array(100).keys()].map((i) => i + 1));
    expect(chainProblems(events)).toEqual([]);
    await log.close();
  });

  it("a flush resolves once the events recorded before it are written, even under steady recording", async () => {
    const sink = testSink();
    const log = createAuditLog({ sinks: [sink], batchSize: 5 });
    let recording = true;
    const recorder = (async () => {
      while (recording) {
        log.record({ action: "a.b" });
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = log.stats.recorded;
    await log.flush();
    expect(sink.events.size).toBeGreaterThanOrEqual(before);
    recording = false;
    await recorder;
    await log.close();
  });

  it("fans each batch out to every sink, in order", async () => {
    const a = testSink("a");
    const b = testSink("b");
    const log = createAuditLog({ sinks: [a, b], batchSize: 3 });
    for (let i = 0; i < 8; i++) log.record({ action: "a.b" });
    await log.flush();
    expect(a.order).toEqual(b.order);
    expect(a.order).toHaveLength(8);
    expect(log.stats).toMatchObject({ recorded: 8, written: 8, queued: 0 });
    await log.close();
  });

  it("flushes on beforeExit only when asked to", async () => {
    const before = process.listenerCount("beforeExit");
    const plain = createAuditLog({ sinks: [testSink()] });
    expect(process.listenerCount("beforeExit")).toBe(before);
    const sink = testSink();
    const opted = createAuditLog({ sinks: [sink], flushOnExit: true });
    expect(process.listenerCount("beforeExit")).toBe(before + 1);
    opted.record({ action: "a.b" });
    // Call the log's listener rather than emit beforeExit to every listener of the worker.
    const listener = process.listeners("beforeExit").at(-1)!;
    listener(0);
    await waitFor(() => sink.events.size === 1, "the beforeExit flush");
    await Promise.all([plain.close(), opted.close()]);
    expect(process.listenerCount("beforeExit")).toBe(before);
  });
});
