/**
 * Workers: several on one store never deliver the same attempt twice at
 * once; a lease left by a dead worker is reclaimed; stop() is graceful.
 */
import { createFakeClock } from "@gatehouse/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { webhookDeliveryModel } from "./models.js";
import {
  BACKENDS,
  type Receiver,
  setup,
  startReceiver,
  useBackend,
  waitFor,
} from "./test-helpers.js";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver((_req, res) => {
    setTimeout(() => res.writeHead(200).end(), 5);
  });
});
afterEach(() => receiver.close());

/** Deletes the endpoints earlier tests on a shared store left (their open deliveries die). */
async function removeEndpoints(sender: ReturnType<typeof setup>["sender"]): Promise<void> {
  for (const e of (await sender.endpoints.list({ limit: 1000 })).items) {
    await sender.endpoints.delete(e.id);
  }
}

describe.each(BACKENDS)("workers on $name", ({ open }) => {
  const clock = createFakeClock();
  const opened = useBackend(open, clock);

  it("two workers (two senders) on one store deliver each attempt exactly once", async () => {
    const a = setup({}, opened.current.records, clock);
    const b = setup({}, opened.current.records, clock);
    await removeEndpoints(a.sender);
    const endpoint = await a.sender.endpoints.create({ url: receiver.url });
    const messages = await Promise.all(
      Array.from({ length: 30 }, (_, i) => a.sender.send("load.test", { i })),
    );
    const workers = [
      a.sender.worker({ concurrency: 4, pollIntervalMs: 5 }),
      b.sender.worker({ concurrency: 4, pollIntervalMs: 5 }),
      b.sender.worker({ concurrency: 3, pollIntervalMs: 5 }),
    ];
    for (const w of workers) w.start();
    try {
      await waitFor(() => messages.every((m) => receiver.count(m.id) > 0), 20_000, "every message");
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    for (const m of messages) expect([m.id, receiver.count(m.id)]).toEqual([m.id, 1]);
    const succeeded = await a.sender.deliveries({
      endpointId: endpoint.id,
      status: "succeeded",
      limit: 100,
    });
    expect(succeeded.items).toHaveLength(30);
    for (const d of succeeded.items) expect(d.attempts).toBe(1);
  }, 30_000);

  it("with retries, several workers make each attempt exactly once", async () => {
    const t = setup({ schedule: [0, 0, 0] }, opened.current.records, clock);
    await removeEndpoints(t.sender);
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    // Every message fails its first attempt and succeeds on its second.
    receiver.handle((_req, res, hit) => {
      res.writeHead(receiver.count(hit.id) === 1 ? 500 : 200).end();
    });
    const messages = await Promise.all(
      Array.from({ length: 15 }, (_, i) => t.sender.send("retry.test", { i })),
    );
    const workers = Array.from({ length: 3 }, () =>
      t.sender.worker({ concurrency: 3, pollIntervalMs: 5 }),
    );
    for (const w of workers) w.start();
    try {
      await waitFor(
        async () =>
          (await t.sender.deliveries({ endpointId: endpoint.id, status: "succeeded", limit: 100 }))
            .items.length === 15,
        20_000,
        "every delivery to succeed",
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    for (const m of messages) expect([m.id, receiver.count(m.id)]).toEqual([m.id, 2]);
    const { items } = await t.sender.deliveries({ endpointId: endpoint.id, limit: 100 });
    for (const d of items) {
      expect(d.attempts).toBe(2);
      expect((await t.sender.attempts(d.id)).map((a) => a.statusCode)).toEqual([500, 200]);
    }
  }, 30_000);

  it("concurrent runOnce passes claim disjoint deliveries", async () => {
    const t = setup({}, opened.current.records, clock);
    await removeEndpoints(t.sender);
    await t.sender.endpoints.create({ url: receiver.url });
    const messages = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.sender.send("race.test", { i })),
    );
    const passes = await Promise.all(
      Array.from({ length: 6 }, () => t.sender.worker({ concurrency: 4 }).runOnce()),
    );
    const attempted = passes.reduce((x, y) => x + y, 0);
    expect(attempted).toBeLessThanOrEqual(12);
    const hits = messages.reduce((n, m) => n + receiver.count(m.id), 0);
    expect(hits).toBe(attempted);
    for (const m of messages) expect(receiver.count(m.id)).toBeLessThanOrEqual(1);
  });
});

describe("leases", () => {
  it("reclaims a delivery whose worker died once its lease has expired", async () => {
    const t = setup();
    await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("a.b", {});
    const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
    // What a worker that died right after claiming leaves behind.
    await t.records.update(
      webhookDeliveryModel,
      d!.id,
      {
        status: "delivering",
        attempts: 1,
        totalAttempts: 1,
        nextAttemptAt: t.clock.now() + 30_000,
      },
      { expectedVersion: 1 },
    );
    const worker = t.sender.worker({ leaseMs: 30_000 });
    expect(await worker.runOnce()).toBe(0);
    t.clock.advance(29_999);
    expect(await worker.runOnce()).toBe(0);
    t.clock.advance(1);
    expect(await worker.runOnce()).toBe(1);
    expect((await t.sender.deliveries({ messageId: message.id })).items[0]).toMatchObject({
      status: "succeeded",
      attempts: 2,
    });
    expect(receiver.count(message.id)).toBe(1);
  });

  it("drops the outcome of a worker whose lease was taken over", async () => {
    const t = setup({ timeoutMs: 2000 });
    await t.sender.endpoints.create({ url: receiver.url });
    let release = () => {};
    receiver.handle((_req, res) => {
      release = () => res.writeHead(500).end();
    });
    const message = await t.sender.send("a.b", {});
    const slow = t.sender.worker({ leaseMs: 5000 }).runOnce();
    await waitFor(() => receiver.count(message.id) === 1, 5000, "the first attempt");
    t.clock.advance(5000); // the first worker's lease ran out
    receiver.handle((_req, res) => res.writeHead(200).end());
    expect(await t.sender.worker({ leaseMs: 5000 }).runOnce()).toBe(1);
    release();
    expect(await slow).toBe(1);
    const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(d).toMatchObject({ status: "succeeded", attempts: 2 });
    expect((await t.sender.attempts(d!.id)).map((a) => a.statusCode).sort()).toEqual([200, 500]);
  });

  it("gives up a delivery that keeps losing its worker", async () => {
    const t = setup({ schedule: [0, 0] });
    await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("a.b", {});
    const [d] = (await t.sender.deliveries({ messageId: message.id })).items;
    await t.records.update(webhookDeliveryModel, d!.id, {
      status: "delivering",
      attempts: 4,
      nextAttemptAt: t.clock.now(),
    });
    expect(await t.sender.worker().runOnce()).toBe(0);
    expect((await t.sender.deliveries({ messageId: message.id })).items[0]).toMatchObject({
      status: "dead",
      lastError: "lease_expired",
    });
  });

  it("refuses a lease not longer than the attempt timeout", () => {
    const t = setup({ timeoutMs: 2000 });
    expect(() => t.sender.worker({ leaseMs: 2000 })).toThrow(/leaseMs/);
    expect(() => t.sender.worker({ concurrency: 0 })).toThrow(/concurrency/);
  });
});

describe("start and stop", () => {
  it("delivers in the background and finishes in-flight attempts on stop()", async () => {
    const t = setup();
    await t.sender.endpoints.create({ url: receiver.url });
    let answered = 0;
    receiver.handle((_req, res) => {
      setTimeout(() => {
        answered++;
        res.writeHead(200).end();
      }, 100);
    });
    const worker = t.sender.worker({ pollIntervalMs: 10 });
    worker.start();
    worker.start(); // idempotent
    expect(worker.running).toBe(true);
    const message = await t.sender.send("a.b", {});
    await waitFor(() => receiver.count(message.id) === 1, 5000, "the request");
    await worker.stop();
    expect(worker.running).toBe(false);
    expect(answered).toBe(1);
    expect((await t.sender.deliveries({ messageId: message.id })).items[0]!.status).toBe(
      "succeeded",
    );
    // Stopped: nothing more is claimed.
    const later = await t.sender.send("a.b", {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.count(later.id)).toBe(0);
  });

  it("reports loop errors to onError and keeps going", async () => {
    const t = setup();
    const errors: unknown[] = [];
    let failing = true;
    const records = t.records;
    const flaky = {
      ...records,
      findMany: ((...args: Parameters<typeof records.findMany>) =>
        failing
          ? Promise.reject(new Error("store down"))
          : records.findMany(...args)) as typeof records.findMany,
    };
    const s = setup({}, flaky, t.clock);
    failing = false;
    await s.sender.endpoints.create({ url: receiver.url });
    const message = await s.sender.send("a.b", {});
    failing = true;
    const worker = s.sender.worker({ pollIntervalMs: 5, onError: (e) => errors.push(e) });
    worker.start();
    try {
      await waitFor(() => errors.length >= 2, 5000, "errors");
      failing = false;
      await waitFor(() => receiver.count(message.id) >= 1, 5000, "the delivery");
    } finally {
      await worker.stop();
    }
    expect(String(errors[0])).toContain("store down");
    expect(receiver.count(message.id)).toBe(1);
  }, 15_000);
});
