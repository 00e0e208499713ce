import { afterEach, describe, expect, it } from "vitest";
import { createAuditLog } from "./create.js";
import { chainProblems, failures, tempDir, testSink } from "./test-helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const spoolDir = () => {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
};

describe("a named stream", () => {
  it("continues the chain from head() of the first sink that has one", async () => {
    const plain = testSink("plain", false);
    const store = testSink("store");
    const first = createAuditLog({ sinks: [plain, store], stream: "api", spoolDir: spoolDir() });
    for (let i = 0; i < 3; i++) first.record({ action: "a.b" });
    await first.close();
    const second = createAuditLog({ sinks: [plain, store], stream: "api", spoolDir: spoolDir() });
    expect(second.stream).toBe("api");
    second.record({ action: "a.b" });
    await second.close();
    expect([...store.events.values()].map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(chainProblems(store.events.values())).toEqual([]);
  });

  it("waits for a head() that fails: flush rejects, record() does not, and it resumes", async () => {
    const store = testSink("store");
    const head = store.head!;
    let headDown = true;
    store.head = (stream) => (headDown ? Promise.reject(new Error("store down")) : head(stream));
    const { seen, onError } = failures();
    const log = createAuditLog({ sinks: [store], stream: "api", spoolDir: spoolDir(), onError });
    log.record({ action: "a.b" });
    await expect(log.flush()).rejects.toThrow("store down");
    await expect(log.flush()).rejects.toThrow("store down");
    expect(seen.filter((f) => f.kind === "sink")).toHaveLength(1); // once, not per retry
    log.record({ action: "a.b" });
    headDown = false;
    await log.flush();
    expect([...store.events.values()].map((e) => e.seq)).toEqual([1, 2]);
    await log.close();
  });

  it("reports events beyond maxQueue as lost while its head is unknown (memory stays bounded)", async () => {
    const store = testSink("store");
    store.head = () => Promise.reject(new Error("store down"));
    const { seen, onError } = failures();
    const log = createAuditLog({
      sinks: [store],
      stream: "api",
      spoolDir: spoolDir(),
      batchSize: 5,
      maxQueue: 10,
      onError,
    });
    for (let i = 0; i < 12; i++) log.record({ action: "a.b" });
    expect(log.stats).toMatchObject({ queued: 10, lost: 2 });
    expect(seen.filter((f) => f.kind === "lost").map((f) => f.count)).toEqual([1, 1]);
    await expect(log.close()).rejects.toThrow("store down");
    expect(log.stats.lost).toBe(12); // what was queued is reported too
  });
});

describe("hostile input", () => {
  it("keeps an event whose input throws when read at flush time", async () => {
    const sink = testSink();
    const log = createAuditLog({ sinks: [sink], spoolDir: spoolDir() });
    const input = {
      action: "a.b",
      get ip(): string {
        throw new Error("boom");
      },
    };
    log.record(input);
    log.record({ action: "c.d" });
    await log.flush();
    const events = [...sink.events.values()];
    expect(events.map((e) => [e.action, e.metadata])).toEqual([
      ["a.b", "[unreadable]"],
      ["c.d", null],
    ]);
    expect(chainProblems(events)).toEqual([]);
    await log.close();
  });

  it("replaces NUL and lone surrogates in every field, so no store refuses the batch", async () => {
    const sink = testSink();
    const log = createAuditLog({ sinks: [sink], spoolDir: spoolDir() });
    log.record({
      action: "a.b",
      actor: { type: "user", id: "u\0" },
      userAgent: "x\uD800",
      metadata: { "k\0": "v\uDC00" },
    });
    await log.flush();
    const [event] = sink.events.values();
    expect(event).toMatchObject({
      actorId: "u\uFFFD",
      userAgent: "x\uFFFD",
      metadata: { "k\uFFFD": "v\uFFFD" },
    });
    await log.close();
  });
});
