/**
 * The outbox on every store it runs on (memory, SQLite, PostgreSQL): send,
 * deliver, retry, dead letter, replay, idempotency and paging.
 */
import { createFakeClock } from "@gatehouse/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type Receiver, setup, startReceiver, useBackend } from "./test-helpers.js";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe.each(BACKENDS)("outbox on $name", ({ open }) => {
  const clock = createFakeClock();
  const opened = useBackend(open, clock);
  const fresh = async (overrides: Parameters<typeof setup>[0] = {}) => {
    const t = setup(overrides, opened.current.records, clock);
    for (const e of (await t.sender.endpoints.list({ limit: 1000 })).items) {
      await t.sender.endpoints.delete(e.id);
    }
    return t;
  };

  it("stores, delivers and logs a message", async () => {
    receiver.handle((_req, res) => res.writeHead(200).end("thanks"));
    const t = await fresh();
    const endpoint = await t.sender.endpoints.create({
      url: receiver.url,
      eventTypes: ["user.*"],
      description: "CRM",
    });
    expect(await t.sender.endpoints.get(endpoint.id)).toEqual(endpoint);
    const payload = { id: "u1", nested: { list: [1, "two", null], "\u0000": "\ud800" } };
    const message = await t.sender.send("user.created", payload);
    expect(await t.sender.message(message.id)).toEqual(message);
    const pending = await t.sender.deliveries({ messageId: message.id });
    expect(pending.items).toEqual([expect.objectContaining({ status: "pending" })]);
    expect(await t.sender.worker().runOnce()).toBe(1);
    expect(receiver.hits.at(-1)!.body).toBe(JSON.stringify(payload));
    const [d] = (await t.sender.deliveries({ messageId: message.id, status: "succeeded" })).items;
    expect(await t.sender.attempts(d!.id)).toEqual([
      expect.objectContaining({ statusCode: 200, responseExcerpt: "thanks", errorKind: null }),
    ]);
  });

  it("retries, gives up, and replays", async () => {
    receiver.handle((_req, res) => res.writeHead(502).end("\u0000bad gateway"));
    const t = await fresh({ schedule: [0, 10] });
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("order.paid", { n: 1 });
    await t.sender.worker().runOnce();
    clock.advance(10_000);
    await t.sender.worker().runOnce();
    const [dead] = (await t.sender.deliveries({ endpointId: endpoint.id, status: "dead" })).items;
    expect(dead).toMatchObject({ messageId: message.id, attempts: 2, lastStatusCode: 502 });
    const attempts = await t.sender.attempts(dead!.id);
    expect(attempts.map((a) => a.responseExcerpt)).toEqual([
      "\ufffdbad gateway",
      "\ufffdbad gateway",
    ]);
    receiver.handle((_req, res) => res.writeHead(200).end());
    await t.sender.replay(dead!.id);
    await t.sender.worker().runOnce();
    expect((await t.sender.deliveries({ messageId: message.id })).items[0]!.status).toBe(
      "succeeded",
    );
  });

  it("keeps idempotency keys unique", async () => {
    const t = await fresh();
    await t.sender.endpoints.create({ url: receiver.url });
    const sends = await Promise.all(
      Array.from({ length: 4 }, () =>
        t.sender.send("a.b", {}, { idempotencyKey: `key-${clock.now()}` }),
      ),
    );
    expect(new Set(sends.map((m) => m.id)).size).toBe(1);
    expect((await t.sender.deliveries({ messageId: sends[0]!.id })).items).toHaveLength(1);
  });

  it("pages deliveries and endpoints", async () => {
    const t = await fresh();
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    await t.sender.endpoints.create({ url: receiver.url, enabled: false });
    for (let i = 0; i < 5; i++) {
      await t.sender.send("page.test", { i });
      clock.advance(1);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.sender.deliveries({ endpointId: endpoint.id, limit: 2, cursor });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect((await t.sender.endpoints.list({ enabled: false })).items).toHaveLength(1);
    expect((await t.sender.endpoints.list({ enabled: true })).items).toEqual([
      expect.objectContaining({ id: endpoint.id }),
    ]);
  });
});
