import { describe, expect, it } from "vitest";
import { recordAdminAction } from "../capture.js";
import { diffFields } from "./diff.js";
import { memoryLog } from "./test-helpers.js";

const target = { type: "user", id: "user_9" };

describe("recordAdminAction", () => {
  it("records the changed fields only, before and after, with the request's facts", () => {
    const log = memoryLog();
    recordAdminAction(log, {
      actor: "user_admin",
      action: "admin.user.updated",
      target,
      orgId: "org_1",
      before: { id: "user_9", email: "a@x.test", name: "Ann", roles: ["member"] },
      after: { id: "user_9", email: "b@x.test", name: "Ann", roles: ["member", "admin"] },
      request: {
        headers: { "user-agent": "admin-ui/1", "x-request-id": "req_1" },
        socket: { remoteAddress: "192.0.2.1" },
      },
      metadata: { ticket: "T-1" },
    });
    expect(log.events).toEqual([
      {
        action: "admin.user.updated",
        actor: { type: "admin", id: "user_admin" },
        target,
        orgId: "org_1",
        ip: "192.0.2.1",
        userAgent: "admin-ui/1",
        requestId: "req_1",
        metadata: {
          ticket: "T-1",
          changed: ["email", "roles"],
          before: { email: "a@x.test", roles: ["member"] },
          after: { email: "b@x.test", roles: ["member", "admin"] },
        },
      },
    ]);
  });

  it("redacts secret fields but still says they changed", () => {
    const log = memoryLog();
    recordAdminAction(log, {
      actor: { type: "user", id: "u", impersonatorId: "admin_1" },
      action: "admin.user.updated",
      target,
      before: { passwordHash: "old$hash", mfa: { totpSecret: "AAAA", code: "123456" } },
      after: { passwordHash: "new$hash", mfa: { totpSecret: "BBBB", code: "654321" } },
    });
    const event = log.events[0]!;
    expect(event.actor).toEqual({ type: "user", id: "u", impersonatorId: "admin_1" });
    expect(event.metadata).toEqual({
      changed: ["passwordHash", "mfa.totpSecret", "mfa.code"],
      before: { passwordHash: "[redacted]", mfa: { totpSecret: "[redacted]", code: "[redacted]" } },
      after: { passwordHash: "[redacted]", mfa: { totpSecret: "[redacted]", code: "[redacted]" } },
    });
    expect(JSON.stringify(event)).not.toMatch(/hash"|AAAA|BBBB|123456|654321/);
  });

  it("records a creation and a deletion (one side null)", () => {
    const log = memoryLog();
    recordAdminAction(log, {
      actor: "a",
      action: "admin.org.created",
      target,
      before: null,
      after: { name: "Acme" },
    });
    recordAdminAction(log, {
      actor: "a",
      action: "admin.org.deleted",
      target,
      before: { name: "Acme" },
      after: undefined,
    });
    expect(log.events.map((e) => e.metadata)).toEqual([
      { changed: ["name"], before: {}, after: { name: "Acme" } },
      { changed: ["name"], before: { name: "Acme" }, after: {} },
    ]);
  });

  it("refuses malformed input with input_invalid, never echoing the values", () => {
    const log = memoryLog();
    const base = { actor: "a", action: "admin.x", target, before: null, after: null };
    const bad = (input: unknown) =>
      expect(() => recordAdminAction(log, input as never)).toThrowError(
        expect.objectContaining({ code: "input_invalid" }),
      );
    bad({ ...base, action: "" });
    bad({ ...base, action: "has space" });
    bad({ ...base, target: undefined });
    bad({ ...base, actor: { type: "root", id: "x" } });
    bad({ ...base, request: { headers: "x-request-id: 1" } });
    bad(null);
    expect(log.events).toEqual([]);
  });
});

describe("diffFields", () => {
  it("compares nested objects by field, arrays and dates as values", () => {
    const when = new Date(5);
    expect(
      diffFields(
        { a: 1, p: { x: 1, y: { z: 1 } }, list: [1, 2], at: when, same: { k: [1] } },
        { a: 1, p: { x: 2, y: { z: 1 } }, list: [1, 3], at: new Date(5), same: { k: [1] } },
      ),
    ).toEqual({
      changed: ["p.x", "list"],
      before: { p: { x: 1 }, list: [1, 2] },
      after: { p: { x: 2 }, list: [1, 3] },
      truncated: false,
    });
  });

  it("treats an undefined field as absent", () => {
    expect(diffFields({ a: 1, b: undefined }, { a: 1 }).changed).toEqual([]);
  });

  it("keeps a `__proto__` field as data, without polluting anything", () => {
    const d = diffFields(
      JSON.parse('{"__proto__": {"x": 1}}'),
      JSON.parse('{"__proto__": {"x": 2}}'),
    );
    expect(d.changed).toEqual(["__proto__.x"]);
    expect(Object.hasOwn(d.after, "__proto__")).toBe(true);
    expect(({} as { x?: number }).x).toBeUndefined();
  });

  it("lists at most 100 changes and says so", () => {
    const before = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    const d = diffFields(before, {});
    expect(d.changed).toHaveLength(100);
    expect(d.truncated).toBe(true);
  });

  it("stops descending after 4 levels and compares the rest whole", () => {
    const deep = (v: number) => ({ a: { b: { c: { d: { e: { f: v } } } } } });
    expect(diffFields(deep(1), deep(2)).changed).toEqual(["a.b.c.d.e"]);
  });
});
