// Capture through a real log into a store, read back with a scoped query.
import { createMemoryRecordStore } from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import { captureEvents, recordAdminAction } from "../capture.js";
import { createAuditLog } from "../log.js";
import { createAuditQuery } from "../query.js";
import { recordStoreSink } from "../sinks.js";
import { AT, testBus } from "./test-helpers.js";

describe("capture into a real audit log", () => {
  it("stores bus events and admin diffs with their columns, chained and scoped", async () => {
    const records = createMemoryRecordStore();
    const log = createAuditLog({ sinks: [recordStoreSink(records)], clock: { now: () => AT + 1 } });
    const { bus, emit } = testBus();
    captureEvents(bus, log);
    emit("authz.denied", { userId: "user_2", orgId: "org_1", rule: "role:org:admin", missing: [] });
    emit("session.revoked", {
      sessionId: "sess_1",
      userId: "user_2",
      reason: "admin",
      by: "user_1",
    });
    recordAdminAction(log, {
      actor: "user_1",
      action: "admin.user.updated",
      target: { type: "user", id: "user_2" },
      orgId: "org_1",
      before: { email: "a@x.test", apiKey: "gh_sk_old" },
      after: { email: "b@x.test", apiKey: "gh_sk_new" },
    });
    await log.close();

    const query = createAuditQuery(records);
    const page = await query.search({ scope: { orgId: "org_1" } });
    expect(page.items.map((e) => [e.action, e.outcome, e.actorId, e.seq])).toEqual([
      ["admin.user.updated", "success", "user_1", 3],
      ["authz.denied", "denied", "user_2", 1],
    ]);
    expect(page.items[1]!.time).toBe(AT);
    expect(page.items[0]!.metadata).toEqual({
      changed: ["email", "apiKey"],
      before: { email: "a@x.test", apiKey: "[redacted]" },
      after: { email: "b@x.test", apiKey: "[redacted]" },
    });
    const all = await query.search({});
    expect(all.items.find((e) => e.action === "session.revoked")).toMatchObject({
      actorType: "admin",
      actorId: "user_1",
      targetType: "session",
      targetId: "sess_1",
      orgId: null,
    });
    expect(JSON.stringify(all.items)).not.toContain("gh_sk_");
  });
});
