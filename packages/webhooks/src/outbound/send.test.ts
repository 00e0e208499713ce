/**
 * send(): the outbox is written before it resolves, event filters choose the
 * endpoints, idempotency keys make retries safe, bad input is refused, and an
 * interrupted fan-out is finished by a worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliveryId } from "./context.js";
import { webhookDeliveryModel, webhookMessageModel } from "./models.js";
import { type Receiver, setup, startReceiver } from "./test-helpers.js";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe("send", () => {
  it("writes the message and one pending delivery per matching endpoint before it resolves", async () => {
    const t = setup();
    const a = await t.sender.endpoints.create({ url: receiver.url });
    const b = await t.sender.endpoints.create({ url: receiver.url, description: "second" });
    const message = await t.sender.send("user.created", { id: "u1" });
    expect(message).toMatchObject({
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      type: "user.created",
      payload: { id: "u1" },
      timestamp: t.clock.now(),
      idempotencyKey: null,
      tenantId: null,
    });
    expect(await t.sender.message(message.id)).toEqual(message);
    const stored = await t.records.findOne(webhookMessageModel, { id: message.id });
    expect(stored).toMatchObject({ payload: '{"id":"u1"}', dispatched: true });
    const { items } = await t.sender.deliveries({ messageId: message.id });
    expect(items.map((d) => d.endpointId).sort()).toEqual([a.id, b.id].sort());
    for (const d of items) {
      expect(d).toMatchObject({ status: "pending", attempts: 0, nextAttemptAt: t.clock.now() });
    }
  });

  it("delivers a tenant's events only to that tenant's endpoints", async () => {
    const t = setup();
    const app = await t.sender.endpoints.create({ url: receiver.url });
    const acme = await t.sender.endpoints.create({ url: receiver.url, tenantId: "org_acme" });
    const globex = await t.sender.endpoints.create({ url: receiver.url, tenantId: "org_globex" });
    const targets = async (tenantId?: string) => {
      const m = await t.sender.send("member.removed", {}, tenantId ? { tenantId } : {});
      expect(m.tenantId).toBe(tenantId ?? null);
      return (await t.sender.deliveries({ messageId: m.id })).items.map((d) => d.endpointId);
    };
    expect(await targets("org_acme")).toEqual([acme.id]);
    expect(await targets("org_globex")).toEqual([globex.id]);
    expect(await targets()).toEqual([app.id]);
    expect(await targets("org_nobody")).toEqual([]);
    const listed = await t.sender.endpoints.list({ tenantId: "org_acme" });
    expect(listed.items.map((e) => e.id)).toEqual([acme.id]);
    expect((await t.sender.endpoints.list({ tenantId: null })).items.map((e) => e.id)).toEqual([
      app.id,
    ]);
  });

  it("delivers only to endpoints whose filter matches (exact names and prefix.*)", async () => {
    const t = setup();
    const all = await t.sender.endpoints.create({ url: receiver.url });
    const users = await t.sender.endpoints.create({ url: receiver.url, eventTypes: ["user.*"] });
    const exact = await t.sender.endpoints.create({
      url: receiver.url,
      eventTypes: ["session.revoked", "org.member.added"],
    });
    const off = await t.sender.endpoints.create({ url: receiver.url, enabled: false });
    const targets = async (type: string) => {
      const m = await t.sender.send(type, {});
      return (await t.sender.deliveries({ messageId: m.id })).items.map((d) => d.endpointId).sort();
    };
    expect(await targets("user.created")).toEqual([all.id, users.id].sort());
    expect(await targets("user.profile.updated")).toEqual([all.id, users.id].sort());
    expect(await targets("user")).toEqual([all.id]);
    expect(await targets("users.created")).toEqual([all.id]);
    expect(await targets("session.revoked")).toEqual([all.id, exact.id].sort());
    expect(await targets("session.created")).toEqual([all.id]);
    expect(await targets("org.member.added")).toEqual([all.id, exact.id].sort());
    expect((await t.sender.deliveries({ endpointId: off.id })).items).toEqual([]);
  });

  it("returns the first message for a repeated idempotency key, sending nothing new", async () => {
    const t = setup();
    await t.sender.endpoints.create({ url: receiver.url });
    const first = await t.sender.send("a.b", { n: 1 }, { idempotencyKey: "order-1" });
    const again = await t.sender.send("a.b", { n: 2 }, { idempotencyKey: "order-1" });
    expect(again).toEqual(first);
    expect(again.payload).toEqual({ n: 1 });
    const racing = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.sender.send("a.c", { i }, { idempotencyKey: "k2" })),
    );
    expect(new Set(racing.map((m) => m.id)).size).toBe(1);
    expect((await t.sender.deliveries()).items).toHaveLength(2);
  });

  it("refuses bad types, payloads that are not JSON objects, and oversized payloads", async () => {
    const t = setup({ maxPayloadBytes: 100 });
    const send = t.sender.send as (
      type: unknown,
      payload: unknown,
      o?: unknown,
    ) => Promise<unknown>;
    for (const type of ["", "has space", "x".repeat(129), "a/b", 42]) {
      await expect(send(type, {})).rejects.toMatchObject({ code: "input_invalid" });
    }
    for (const payload of [null, [1], "text", 3]) {
      await expect(send("a.b", payload)).rejects.toMatchObject({ code: "input_invalid" });
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(send("a.b", cyclic)).rejects.toMatchObject({ code: "input_invalid" });
    await expect(send("a.b", { big: "x".repeat(100) })).rejects.toMatchObject({
      code: "webhook_body_too_large",
    });
    await expect(send("a.b", {}, { idempotencyKey: "" })).rejects.toMatchObject({
      code: "input_invalid",
    });
    await expect(send("a.b", {}, { other: 1 })).rejects.toMatchObject({ code: "input_invalid" });
    expect((await t.sender.deliveries()).items).toEqual([]);
  });

  it("sends the same bytes on every attempt, whatever the store does to JSON", async () => {
    const t = setup();
    await t.sender.endpoints.create({ url: receiver.url });
    const payload = { z: 1, a: { "\u0000nul": "x\ud800", big: 1e21 }, emoji: "🦀" };
    const message = await t.sender.send("a.b", payload);
    const before = receiver.hits.length;
    await t.sender.worker().runOnce();
    expect(receiver.hits[before]!.body).toBe(JSON.stringify(payload));
    expect(message.payload).toEqual(JSON.parse(JSON.stringify(payload)));
  });

  it("finishes a fan-out that a crash interrupted (message written, deliveries not)", async () => {
    const t = setup();
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    await t.records.create(webhookMessageModel, {
      id: "msg_00000000000000000000000000000001",
      type: "a.b",
      payload: "{}",
      timestamp: t.clock.now(),
      dispatched: false,
    });
    const worker = t.sender.worker({ leaseMs: 30_000 });
    expect(await worker.runOnce()).toBe(0); // too recent: its send may still be running
    t.clock.advance(30_000);
    const id = deliveryId("msg_00000000000000000000000000000001", endpoint.id);
    expect(await worker.runOnce()).toBe(1);
    expect(await t.records.findOne(webhookDeliveryModel, { id })).toMatchObject({
      status: "succeeded",
    });
    expect(
      await t.records.findOne(webhookMessageModel, { id: "msg_00000000000000000000000000000001" }),
    ).toMatchObject({ dispatched: true });
  });
});
