/** Forwarding the Gatehouse event bus to outgoing webhooks. */
import { createEventBus, type EventEnvelope } from "@gatehouse/core";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { forwardEvents } from "./forward.js";
import type { WebhookSender } from "./sender.js";
import { setup } from "./test-helpers.js";

declare module "@gatehouse/core" {
  interface GatehouseEvents {
    "test.user.created": { userId: string; at: Date };
    "test.session.revoked": { sessionId: string };
    "test.member.removed": { orgId: string; userId: string };
  }
}

const URL = "http://127.0.0.1:9/hooks";

describe("forwardEvents", () => {
  it("sends each event as { id, type, timestamp, data }, once per event id", async () => {
    const t = setup();
    await t.sender.endpoints.create({ url: URL });
    const stop = forwardEvents(t.bus, t.sender);
    const event = t.bus.emit("test.user.created", { userId: "u1", at: new Date(0) });
    await new Promise((resolve) => setImmediate(resolve));
    const [delivery] = (await t.sender.deliveries()).items;
    const message = await t.sender.message(delivery!.messageId);
    expect(message).toMatchObject({
      type: "test.user.created",
      idempotencyKey: `event:${event.id}`,
      payload: {
        id: event.id,
        type: "test.user.created",
        timestamp: new Date(t.clock.now()).toISOString(),
        data: { userId: "u1", at: "1970-01-01T00:00:00.000Z" },
      },
    });
    stop();
    t.bus.emit("test.user.created", { userId: "u2", at: new Date(0) });
    await new Promise((resolve) => setImmediate(resolve));
    expect((await t.sender.deliveries()).items).toHaveLength(1);
  });

  it("routes each event to its tenant's endpoints with tenantOf", async () => {
    const t = setup();
    const calls: Array<[string, string | undefined]> = [];
    const sender: Pick<WebhookSender, "send"> = {
      send: async (type, payload, options) => {
        calls.push([type, options?.tenantId]);
        return { id: "msg_x", type, tenantId: null, payload, timestamp: 0, idempotencyKey: null };
      },
    };
    forwardEvents(t.bus, sender, {
      tenantOf: (e) => (e.data as { orgId?: string }).orgId ?? null,
    });
    t.bus.emit("test.session.revoked", { sessionId: "s1" });
    t.bus.emit("test.member.removed", { orgId: "org_acme", userId: "u1" });
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([
      ["test.session.revoked", undefined],
      ["test.member.removed", "org_acme"],
    ]);
  });

  it("forwards only the listed types, and never webhook.* events", async () => {
    const t = setup();
    const sent: string[] = [];
    const sender: Pick<WebhookSender, "send"> = {
      send: async (type, payload) => {
        sent.push(type);
        return { id: "msg_x", type, tenantId: null, payload, timestamp: 0, idempotencyKey: null };
      },
    };
    forwardEvents(t.bus, sender, { types: ["test.user.*"] });
    forwardEvents(t.bus, { send: sender.send }, {});
    t.bus.emit("test.user.created", { userId: "u1", at: new Date(0) });
    t.bus.emit("test.session.revoked", { sessionId: "s1" });
    t.bus.emit("webhook.endpoint_disabled", { endpointId: "ep_1", reason: "gone" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.sort()).toEqual(["test.session.revoked", "test.user.created", "test.user.created"]);
    expect(() => forwardEvents(t.bus, sender, { types: ["bad type"] })).toThrow(/types/);
  });

  it("reports a failing send on the bus's error path, never to the emitter", async () => {
    const errors: [unknown, EventEnvelope][] = [];
    const bus = createEventBus({
      clock: createFakeClock(),
      onListenerError: (error, event) => errors.push([error, event]),
    });
    forwardEvents(bus, {
      send: async () => {
        throw new Error("store down");
      },
    });
    expect(() => bus.emit("test.session.revoked", { sessionId: "s1" })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    expect(String(errors[0]![0])).toContain("store down");
    expect(errors[0]![1].type).toBe("test.session.revoked");
  });
});
