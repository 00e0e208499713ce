import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAuditLog } from "./create.js";
import { chainProblems, failures, tempDir, testSink, waitFor } from "./test-helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function spoolDir(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
}
const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".jsonl"));

describe("spool and replay", () => {
  it("spools while a sink is down and replays in order once it is back, without duplicates", async () => {
    const dir = spoolDir();
    const sink = testSink();
    const { seen, onError } = failures();
    const log = createAuditLog({ sinks: [sink], spoolDir: dir, batchSize: 4, onError });
    sink.down = true;
    for (let i = 0; i < 10; i++) log.record({ action: "a.b", metadata: { i } });
    await log.flush();
    for (let i = 10; i < 15; i++) log.record({ action: "a.b", metadata: { i } });
    await log.flush(); // probes, fails again, spools behind the first batch
    expect(log.stats).toMatchObject({ spooled: 15, written: 0, lost: 0 });
    expect(segments(join(dir, "memory")).length).toBeGreaterThan(0);
    expect(seen.filter((f) => f.kind === "sink")).toHaveLength(1); // once per outage

    sink.down = false;
    for (let i = 15; i < 20; i++) log.record({ action: "a.b", metadata: { i } });
    await log.flush();
    const events = sink.order.map((id) => sink.events.get(id)!);
    expect(events.map((e) => (e.metadata as { i: number }).i)).toEqual([...Array(20).keys()]);
    expect(sink.resent).toBe(0);
    expect(chainProblems(events)).toEqual([]);
    expect(log.stats).toMatchObject({ replayed: 15, written: 5, lost: 0 });
    expect(segments(join(dir, "memory"))).toEqual([]);
    await log.close();
  });

  it("replays a backlog on a timer flush too (a probe per flush)", async () => {
    const sink = testSink();
    const log = createAuditLog({
      sinks: [sink],
      spoolDir: spoolDir(),
      flushIntervalMs: 10,
      onError: () => {},
    });
    sink.down = true;
    log.record({ action: "a.b" });
    await log.flush();
    sink.down = false;
    await waitFor(() => sink.events.size === 1, "the timer's replay");
    await log.close();
  });

  it("keeps one spool per sink: a healthy sink is not held back by a failing one", async () => {
    const dir = spoolDir();
    const up = testSink("up");
    const down = testSink("down");
    down.down = true;
    const log = createAuditLog({ sinks: [up, down], spoolDir: dir, onError: () => {} });
    for (let i = 0; i < 5; i++) log.record({ action: "a.b" });
    await log.flush();
    expect(up.events.size).toBe(5);
    expect(readdirSync(dir).sort()).toEqual(["down"]);
    down.down = false;
    await log.flush();
    expect([...down.order]).toEqual([...up.order]);
    await log.close();
  });

  it("a restarted log replays what the previous one left, before its own events", async () => {
    const dir = spoolDir();
    const sink = testSink();
    sink.down = true;
    const first = createAuditLog({ sinks: [sink], spoolDir: dir, onError: () => {} });
    for (let i = 0; i < 7; i++) first.record({ action: "old.event" });
    await first.close(); // the sink is still down: the events stay in the spool
    expect(first.stats).toMatchObject({ spooled: 7, lost: 0 });

    sink.down = false;
    const second = createAuditLog({ sinks: [sink], spoolDir: dir });
    second.record({ action: "new.event" });
    await second.flush();
    const actions = sink.order.map((id) => sink.events.get(id)!.action);
    expect(actions).toEqual([...Array(7).fill("old.event"), "new.event"]);
    expect(chainProblems(sink.events.values())).toEqual([]);
    expect(second.stats).toMatchObject({ replayed: 7, written: 1 });
    await second.close();
  });

  it("a restarted log replays at start, without waiting for new events", async () => {
    const dir = spoolDir();
    const sink = testSink();
    sink.down = true;
    const first = createAuditLog({ sinks: [sink], spoolDir: dir, onError: () => {} });
    first.record({ action: "old.event" });
    await first.close();
    sink.down = false;
    const second = createAuditLog({ sinks: [sink], spoolDir: dir, flushIntervalMs: 10 });
    await waitFor(() => sink.events.size === 1, "the replay at start");
    await second.close();
  });

  it("skips a torn or damaged spool line, reports it, and replays the rest", async () => {
    const dir = spoolDir();
    const sink = testSink();
    sink.down = true;
    const first = createAuditLog({ sinks: [sink], spoolDir: dir, onError: () => {} });
    for (let i = 0; i < 3; i++) first.record({ action: "a.b" });
    await first.close();
    const [segment] = segments(join(dir, "memory"));
    const path = join(dir, "memory", segment!);
    writeFileSync(path, `${readFileSync(path, "utf8")}{"id":"torn`);

    sink.down = false;
    const { seen, onError } = failures();
    const second = createAuditLog({ sinks: [sink], spoolDir: dir, onError });
    await second.flush();
    expect(sink.events.size).toBe(3);
    expect(seen).toEqual([expect.objectContaining({ kind: "spool", sink: "memory", count: 1 })]);
    await second.close();
  });

  it("reports (and keeps) the spool of a sink no longer configured", async () => {
    const dir = spoolDir();
    mkdirSync(join(dir, "retired"));
    writeFileSync(join(dir, "retired", "000000000001.jsonl"), "");
    const { seen, onError } = failures();
    const log = createAuditLog({ sinks: [testSink()], spoolDir: dir, onError });
    await log.flush();
    expect(seen).toEqual([expect.objectContaining({ kind: "spool", sink: "retired" })]);
    expect(readdirSync(join(dir, "retired"))).toHaveLength(1);
    await log.close();
  });

  it("spools a write that outlasts sinkTimeoutMs", async () => {
    const sink = testSink();
    let release!: () => void;
    sink.hold = new Promise((resolve) => {
      release = resolve;
    });
    const log = createAuditLog({
      sinks: [sink],
      spoolDir: spoolDir(),
      sinkTimeoutMs: 20,
      onError: () => {},
    });
    log.record({ action: "a.b" });
    await log.flush();
    expect(log.stats).toMatchObject({ spooled: 1, written: 0 });
    release();
    sink.hold = undefined;
    await log.flush();
    expect(sink.events.size).toBe(1);
    await log.close();
  });
});

describe("the default spool directory", () => {
  it("is removed on close when empty, and reported (kept) when events remain", async () => {
    const recovered = testSink();
    recovered.down = true;
    const healthy = createAuditLog({ sinks: [recovered], onError: () => {} });
    const root = join(tmpdir(), "gatehouse-audit", healthy.stream);
    healthy.record({ action: "a.b" });
    await healthy.flush();
    expect(existsSync(root)).toBe(true);
    recovered.down = false;
    await healthy.close();
    expect(recovered.events.size).toBe(1);
    expect(existsSync(root)).toBe(false);

    const sink = testSink();
    sink.down = true;
    const { seen, onError } = failures();
    const log = createAuditLog({ sinks: [sink], onError });
    log.record({ action: "a.b" });
    await log.close();
    const kept = seen.find((f) => f.kind === "spool");
    const path = /at (\S+): set spoolDir/.exec(String(kept?.error))?.[1];
    expect(path).toContain(log.stream);
    expect(segments(join(path!, "memory"))).toHaveLength(1);
    cleanups.push(() => rmSync(path!, { recursive: true, force: true }));
  });
});

describe("when even the spool fails", () => {
  it("reports each lost event through onError and counts it", async () => {
    const dir = spoolDir();
    const blocker = join(dir, "not-a-dir");
    writeFileSync(blocker, "");
    const sink = testSink();
    sink.down = true;
    const { seen, onError } = failures();
    const log = createAuditLog({ sinks: [sink], spoolDir: blocker, onError });
    for (let i = 0; i < 4; i++) log.record({ action: "a.b" });
    await log.flush();
    expect(log.stats).toMatchObject({ recorded: 4, spooled: 0, lost: 4 });
    const lost = seen.filter((f) => f.kind === "lost");
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ sink: "memory", count: 4 });
    expect(lost[0]!.events.map((e) => ("seq" in e ? e.seq : 0))).toEqual([1, 2, 3, 4]);
    await log.close();
  });

  it("warns with GATEHOUSE_AUDIT_LOST by default, naming the ids but no metadata", async () => {
    const dir = spoolDir();
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    const sink = testSink();
    sink.down = true;
    const warnings: (Error & { code?: string })[] = [];
    const listen = (w: Error) => warnings.push(w);
    process.on("warning", listen);
    cleanups.push(() => process.off("warning", listen));
    const log = createAuditLog({ sinks: [sink], spoolDir: blocker });
    log.record({ action: "a.b", metadata: { note: "do-not-print" } });
    await log.flush();
    await waitFor(() => warnings.some((w) => w.code === "GATEHOUSE_AUDIT_LOST"), "the warning");
    const lost = warnings.find((w) => w.code === "GATEHOUSE_AUDIT_LOST")!;
    expect(lost.message).toMatch(/1 audit event\(s\) lost/);
    expect(lost.message).not.toContain("do-not-print");
    expect(warnings.map((w) => w.code)).toContain("GATEHOUSE_AUDIT_SINK");
    await log.close();
  });
});

describe("bounded memory", () => {
  it("below maxQueue events wait in memory; at maxQueue they are chained and spooled, not held", async () => {
    const sink = testSink();
    let release!: () => void;
    sink.hold = new Promise((resolve) => {
      release = resolve;
    });
    const log = createAuditLog({
      sinks: [sink],
      spoolDir: spoolDir(),
      batchSize: 10,
      maxQueue: 50,
      flushIntervalMs: 3_600_000,
      onError: () => {},
    });
    let n = 0;
    const record = (count: number) => {
      for (let i = 0; i < count; i++) log.record({ action: "a.b", metadata: { n: n++ } });
    };
    record(40);
    await waitFor(() => sink.writes.length === 1, "the first write to hang");
    expect(log.stats).toMatchObject({ queued: 30, spooled: 0 }); // the sink is slow, not failed

    record(30); // reaches maxQueue: the hanging write is given up, everything goes to disk
    await waitFor(() => log.stats.spooled === 70, "the queue to drain into the spool");
    expect(log.stats).toMatchObject({ queued: 0, written: 0, lost: 0 });

    record(200); // the sink still hangs: straight to the spool again
    await waitFor(() => log.stats.spooled === 270, "the queue to drain into the spool again");
    expect(log.stats).toMatchObject({ queued: 0, written: 0, lost: 0 });

    release();
    sink.hold = undefined;
    await log.flush();
    expect(sink.events.size).toBe(270);
    const events = [...sink.events.values()];
    expect(new Set(events.map((e) => (e.metadata as { n: number }).n)).size).toBe(270);
    expect(chainProblems(events)).toEqual([]);
    expect(log.stats).toMatchObject({ replayed: 270, lost: 0 });
    await log.close();
  });
});
