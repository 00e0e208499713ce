import { createFakeClock } from "@gatehouse/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEventInput } from "../event.js";
import type { AuditLog } from "../types.js";
import { createAuditLog } from "./create.js";
import { chainProblems, failures, tempDir, testSink } from "./test-helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
/** A log with its own spool directory, closed and removed after the test. */
const open = (options: Parameters<typeof createAuditLog>[0]): AuditLog => {
  const spool = tempDir();
  const log = createAuditLog({ spoolDir: spool.dir, ...options });
  cleanups.push(spool.remove, () => log.close().catch(() => {}));
  return log;
};

describe("record(): misuse throws input_invalid at once", () => {
  const sink = testSink();
  const bad: [string, unknown][] = [
    ["no event", undefined],
    ["no action", {}],
    ["empty action", { action: "" }],
    ["upper case", { action: "Session.Revoked" }],
    ["space", { action: "session revoked" }],
    ["too long", { action: "a".repeat(129) }],
    ["not a string", { action: 42 }],
    ["unknown outcome", { action: "a.b", outcome: "maybe" }],
    ["unknown actor type", { action: "a.b", actor: { type: "robot", id: "x" } }],
    ["actor null", { action: "a.b", actor: null }],
    ["fractional time", { action: "a.b", time: 1.5 }],
    ["negative time", { action: "a.b", time: -1 }],
  ];
  it.each(bad)("%s", (_, input) => {
    const log = open({ sinks: [sink] });
    expect(() => log.record(input as AuditEventInput)).toThrow(
      expect.objectContaining({ code: "input_invalid" }),
    );
    expect(log.stats.recorded).toBe(0);
  });

  it("accepts the whole alphabet and 128 characters", () => {
    const log = open({ sinks: [sink] });
    log.record({ action: "admin.user_2:updated-x" });
    log.record({ action: "a".repeat(128) });
    expect(log.stats).toMatchObject({ recorded: 2, queued: 2 });
  });
});

describe("record(): chaining at flush time", () => {
  it("fills defaults, chains in order and redacts metadata", async () => {
    const clock = createFakeClock();
    const sink = testSink();
    const log = open({ sinks: [sink], clock, redact: ["ssn"] });
    log.record({ action: "signin" });
    clock.advance(5);
    log.record({
      action: "session.revoked",
      actor: { type: "admin", id: "user_admin", impersonatorId: "user_root" },
      target: { type: "session", id: "sess_1" },
      orgId: "org_1",
      outcome: "denied",
      ip: "203.0.113.9",
      userAgent: "curl/8",
      requestId: "req_1",
      metadata: { reason: "stolen", password: "hunter2", ssn: "078-05-1120" },
    });
    log.record({
      action: "user.updated",
      time: 1_000,
      actor: { type: "user", id: 7 as unknown as string },
    });
    expect(sink.writes).toEqual([]); // nothing on the request path
    await log.flush();

    const [first, second, third] = sink.order.map((id) => sink.events.get(id)!);
    expect(first).toMatchObject({
      stream: log.stream,
      seq: 1,
      time: clock.now() - 5,
      action: "signin",
      actionNamespace: "signin",
      outcome: "success",
      actorType: "system",
      actorId: null,
      targetType: null,
      metadata: null,
      prevHash: "",
      erasedAt: null,
    });
    expect(second).toMatchObject({
      seq: 2,
      actionNamespace: "session",
      outcome: "denied",
      actorType: "admin",
      actorId: "user_admin",
      impersonatorId: "user_root",
      targetType: "session",
      targetId: "sess_1",
      orgId: "org_1",
      ip: "203.0.113.9",
      userAgent: "curl/8",
      requestId: "req_1",
      metadata: { reason: "stolen", password: "[redacted]", ssn: "[redacted]" },
      prevHash: first!.hash,
    });
    expect(third).toMatchObject({ seq: 3, time: 1_000, actorId: "7" });
    expect(second!.piiSalt).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first!.id < second!.id && second!.id < third!.id).toBe(true);
    expect(chainProblems(sink.events.values())).toEqual([]);
  });

  it("reads the input at flush time but keeps the action it validated", async () => {
    const sink = testSink();
    const log = open({ sinks: [sink] });
    const input = { action: "user.updated" } as { action: string };
    log.record(input);
    input.action = "NOT VALID";
    await log.flush();
    expect([...sink.events.values()][0]!.action).toBe("user.updated");
  });

  it("cuts oversized metadata (never drops the event) and long fields", async () => {
    const sink = testSink();
    const log = open({ sinks: [sink], maxMetadataBytes: 256 });
    log.record({
      action: "a.b",
      metadata: { blob: "x".repeat(100_000) },
      userAgent: "u".repeat(5000),
    });
    await log.flush();
    const [event] = sink.events.values();
    expect(Buffer.byteLength(JSON.stringify(event!.metadata))).toBeLessThanOrEqual(256);
    expect(event!.metadata).toMatchObject({ "[truncated]": true });
    expect(event!.userAgent).toHaveLength(1024);
  });

  it("names the default stream after the host, one per log", () => {
    const a = open({ sinks: [testSink()] });
    const b = open({ sinks: [testSink()] });
    expect(a.stream).toMatch(/^[A-Za-z0-9.-]+-[0-9a-f]{16}$/);
    expect(a.stream).not.toBe(b.stream);
  });
});

describe("record(): a failing sink never reaches the caller", () => {
  it("does not throw, the flush resolves, the batch is spooled", async () => {
    const sink = testSink();
    sink.down = true;
    const { seen, onError } = failures();
    const log = open({ sinks: [sink], onError });
    for (let i = 0; i < 10; i++) expect(() => log.record({ action: "a.b" })).not.toThrow();
    await expect(log.flush()).resolves.toBeUndefined();
    expect(log.stats).toMatchObject({ recorded: 10, spooled: 10, lost: 0, written: 0 });
    expect(seen.map((f) => f.kind)).toEqual(["sink"]);
  });

  it("a sink that throws synchronously is a failure like any other", async () => {
    const sink = testSink();
    sink.write = () => {
      throw new Error("sync");
    };
    const log = open({ sinks: [sink], onError: () => {} });
    log.record({ action: "a.b" });
    await log.flush();
    expect(log.stats).toMatchObject({ spooled: 1, lost: 0 });
  });

  it("a throwing onError does not break the log", async () => {
    const sink = testSink();
    sink.down = true;
    const log = open({
      sinks: [sink],
      onError: () => {
        throw new Error("bad handler");
      },
    });
    log.record({ action: "a.b" });
    await expect(log.flush()).resolves.toBeUndefined();
  });
});

describe("close()", () => {
  it("flushes, closes the sinks, and reports events recorded afterwards as lost", async () => {
    const sink = testSink();
    let closed = 0;
    sink.close = async () => {
      closed++;
    };
    const { seen, onError } = failures();
    const log = createAuditLog({ sinks: [sink], onError });
    log.record({ action: "a.b" });
    await log.close();
    expect(sink.events.size).toBe(1);
    expect(closed).toBe(1);
    expect(() => log.record({ action: "late.event" })).not.toThrow();
    expect(log.stats.lost).toBe(1);
    expect(seen).toEqual([
      expect.objectContaining({ kind: "lost", count: 1, events: [{ action: "late.event" }] }),
    ]);
    await log.close(); // idempotent
    expect(closed).toBe(1);
  });

  it("warns by default with code GATEHOUSE_AUDIT_LOST", async () => {
    const log = createAuditLog({ sinks: [testSink()] });
    await log.close();
    const warning = new Promise<Error & { code?: string }>((resolve) =>
      process.once("warning", resolve),
    );
    log.record({ action: "late.event" });
    expect(await warning).toMatchObject({ code: "GATEHOUSE_AUDIT_LOST" });
  });
});

describe("options", () => {
  it.each([
    ["no sinks", { sinks: [] }],
    ["a sink without write", { sinks: [{ name: "x" }] }],
    ["batchSize 0", { sinks: [testSink()], batchSize: 0 }],
    ["a stream with a slash", { sinks: [testSink()], stream: "a/b" }],
    ["an unknown option", { sinks: [testSink()], bogus: true }],
    [
      "a named stream without a sink that has head()",
      { sinks: [testSink("x", false)], stream: "api" },
    ],
  ])("rejects %s with config_invalid", (_, options) => {
    expect(() => createAuditLog(options as never)).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });
});
