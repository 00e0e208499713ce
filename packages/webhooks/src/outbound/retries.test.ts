/**
 * Retries on the schedule (with jitter), the dead letter after the last
 * attempt, and endpoints disabled after failing for too long — under a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_RETRY_SCHEDULE } from "./options.js";
import { type Receiver, setup, startReceiver } from "./test-helpers.js";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver((_req, res) => res.writeHead(500).end("down"));
});
afterEach(() => receiver.close());

describe("retries", () => {
  it("retries on Svix's schedule by default, then gives up (dead letter)", async () => {
    expect(DEFAULT_RETRY_SCHEDULE).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    const t = setup({ disableAfterFailingSec: 30 * 86_400 });
    await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("order.paid", { order: 1 });
    const worker = t.sender.worker();
    const delivery = async () => (await t.sender.deliveries({ messageId: message.id })).items[0]!;
    expect(await worker.runOnce()).toBe(1);
    for (const [i, delaySec] of DEFAULT_RETRY_SCHEDULE.slice(1).entries()) {
      expect(await delivery()).toMatchObject({
        status: "failed",
        attempts: i + 1,
        nextAttemptAt: t.clock.now() + delaySec * 1000,
      });
      t.clock.advance(delaySec * 1000 - 1);
      expect(await worker.runOnce()).toBe(0); // not due yet
      t.clock.advance(1);
      expect(await worker.runOnce()).toBe(1);
    }
    expect(await delivery()).toMatchObject({
      status: "dead",
      attempts: 8,
      lastError: "http_status",
    });
    expect(receiver.count(message.id)).toBe(8);
    expect(t.ofType("webhook.delivery_dead").map((e) => e.data)).toEqual([
      expect.objectContaining({ messageId: message.id, lastError: "http_status" }),
    ]);
    t.clock.advance(365 * 86_400_000);
    expect(await worker.runOnce()).toBe(0);
    expect(await t.sender.attempts((await delivery()).id)).toHaveLength(8);
  });

  it("applies the jitter to every retry delay", async () => {
    const delays: number[] = [];
    const t = setup({
      schedule: [0, 10, 100],
      jitter: (ms) => {
        delays.push(ms);
        return ms / 2;
      },
    });
    await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("a.b", {});
    await t.sender.worker().runOnce();
    const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(d!.nextAttemptAt).toBe(t.clock.now() + 5000);
    t.clock.advance(5000);
    await t.sender.worker().runOnce();
    expect(delays).toEqual([10_000, 100_000]);
  });

  it("keeps a default full jitter within [0, delay]", async () => {
    const t = setup({ schedule: [0, 1000], jitter: undefined });
    await t.sender.endpoints.create({ url: receiver.url });
    const messages = await Promise.all(
      Array.from({ length: 8 }, (_, i) => t.sender.send("a.b", { i })),
    );
    await t.sender.worker({ concurrency: 8 }).runOnce();
    for (const m of messages) {
      const [d] = (await t.sender.deliveries({ messageId: m.id })).items;
      expect(d!.nextAttemptAt - t.clock.now()).toBeGreaterThanOrEqual(0);
      expect(d!.nextAttemptAt - t.clock.now()).toBeLessThanOrEqual(1_000_000);
    }
  });

  it("succeeds on a retry once the receiver recovers", async () => {
    const t = setup({ schedule: [0, 5] });
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("a.b", {});
    await t.sender.worker().runOnce();
    expect((await t.sender.endpoints.get(endpoint.id))!.failingSince).toBe(t.clock.now());
    receiver.handle((_req, res) => res.writeHead(200).end());
    t.clock.advance(5000);
    await t.sender.worker().runOnce();
    const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(d).toMatchObject({ status: "succeeded", attempts: 2, succeededAt: t.clock.now() });
    expect(await t.sender.endpoints.get(endpoint.id)).toMatchObject({
      failingSince: null,
      lastSuccessAt: t.clock.now(),
    });
  });

  it("disables an endpoint that has failed for disableAfterFailingSec, killing its queue", async () => {
    const t = setup({ schedule: [0, 3600, 3600, 3600, 3600], disableAfterFailingSec: 3 * 3600 });
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    const healthy = await startReceiver();
    try {
      const other = await t.sender.endpoints.create({ url: healthy.url });
      const first = await t.sender.send("a.b", { n: 1 });
      const worker = t.sender.worker();
      await worker.runOnce(); // first: fails at T (other endpoint succeeds)
      t.clock.advance(3600_000);
      const queued = await t.sender.send("a.b", { n: 2 }); // due in the same pass as first's retry
      t.clock.advance(1);
      await worker.runOnce();
      expect((await t.sender.endpoints.get(endpoint.id))!.enabled).toBe(true);
      t.clock.advance(2 * 3600_000);
      await worker.runOnce(); // failing for 3 h: disabled
      expect(await t.sender.endpoints.get(endpoint.id)).toMatchObject({
        enabled: false,
        disabledReason: "failing",
      });
      expect(t.ofType("webhook.endpoint_disabled").map((e) => e.data)).toEqual([
        { endpointId: endpoint.id, reason: "failing" },
      ]);
      const dead = await t.sender.deliveries({ endpointId: endpoint.id, status: "dead" });
      expect(dead.items.map((d) => d.messageId).sort()).toEqual([first.id, queued.id].sort());
      expect(
        (await t.sender.deliveries({ endpointId: other.id, status: "succeeded" })).items,
      ).toHaveLength(2);
      // The other endpoint was never failing.
      expect((await t.sender.endpoints.get(other.id))!.enabled).toBe(true);
    } finally {
      await healthy.close();
    }
  });

  it("keeps at most maxAttemptsLog attempts per delivery, the latest", async () => {
    const t = setup({ schedule: [0, 0, 0, 0, 0], maxAttemptsLog: 2 });
    await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("a.b", {});
    for (let i = 0; i < 5; i++) await t.sender.worker().runOnce();
    const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(d!.status).toBe("dead");
    const attempts = await t.sender.attempts(d!.id);
    expect(attempts.map((a) => a.id)).toEqual([
      `atmpt_${d!.id.slice(4)}_4`,
      `atmpt_${d!.id.slice(4)}_5`,
    ]);
  });
});
