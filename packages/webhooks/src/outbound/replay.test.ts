/** Replay of a delivery and of a message. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Receiver, setup, startReceiver } from "./test-helpers.js";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver((_req, res) => res.writeHead(500).end());
});
afterEach(() => receiver.close());

describe("replay", () => {
  it("restarts a dead delivery with a new cycle of attempts, keeping its log", async () => {
    const t = setup({ schedule: [0] });
    await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("a.b", {});
    await t.sender.worker().runOnce();
    const [dead] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(dead).toMatchObject({ status: "dead", attempts: 1 });

    receiver.handle((_req, res) => res.writeHead(200).end());
    expect(await t.sender.replay(dead!.id)).toMatchObject({
      id: dead!.id,
      status: "pending",
      attempts: 0,
      lastError: null,
      nextAttemptAt: t.clock.now(),
    });
    await expect(t.sender.replay(dead!.id)).rejects.toMatchObject({ code: "input_invalid" });
    await t.sender.worker().runOnce();
    expect((await t.sender.deliveries({ messageId: message.id })).items[0]).toMatchObject({
      status: "succeeded",
      attempts: 1,
    });
    expect((await t.sender.attempts(dead!.id)).map((a) => a.statusCode)).toEqual([500, 200]);
    expect(receiver.count(message.id)).toBe(2);

    // A succeeded delivery can be replayed too.
    await t.sender.replay(dead!.id);
    await t.sender.worker().runOnce();
    expect(receiver.count(message.id)).toBe(3);
  });

  it("refuses unknown ids, deliveries in progress, and disabled endpoints", async () => {
    const t = setup({ schedule: [0, 60] });
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("a.b", {});
    const [pending] = (await t.sender.deliveries({ messageId: message.id })).items;
    await expect(t.sender.replay("dlv_nope")).rejects.toMatchObject({ code: "not_found" });
    await expect(t.sender.replay(pending!.id)).rejects.toMatchObject({ code: "input_invalid" });
    await t.sender.worker().runOnce();
    await expect(t.sender.replay(pending!.id)).rejects.toMatchObject({ code: "input_invalid" });
    await t.sender.endpoints.disable(endpoint.id);
    const [killed] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(killed).toMatchObject({ status: "dead", lastError: "endpoint_disabled" });
    await expect(t.sender.replay(killed!.id)).rejects.toMatchObject({ code: "input_invalid" });
    await expect(t.sender.replayMessage("msg_nope")).rejects.toMatchObject({ code: "not_found" });
    await expect(
      t.sender.replayMessage(message.id, { endpointId: endpoint.id }),
    ).rejects.toMatchObject({ code: "input_invalid" });
    await t.sender.endpoints.enable(endpoint.id);
    expect(await t.sender.replay(killed!.id)).toMatchObject({ status: "pending" });
  });

  it("replays a message to one endpoint, or to every endpoint subscribed now", async () => {
    const t = setup({ schedule: [0] });
    receiver.handle((_req, res) => res.writeHead(200).end());
    const a = await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("user.created", {});
    await t.sender.worker().runOnce();
    // Created after the message: not a recipient until replayed to it.
    const b = await t.sender.endpoints.create({ url: receiver.url, eventTypes: ["user.*"] });
    const c = await t.sender.endpoints.create({ url: receiver.url, eventTypes: ["org.*"] });

    const toB = await t.sender.replayMessage(message.id, { endpointId: b.id });
    expect(toB).toEqual([expect.objectContaining({ endpointId: b.id, status: "pending" })]);
    const toAll = await t.sender.replayMessage(message.id);
    expect(toAll.map((d) => [d.endpointId, d.status]).sort()).toEqual(
      [
        [a.id, "pending"], // succeeded → restarted
        [b.id, "pending"], // already pending: left alone
      ].sort(),
    );
    expect(toAll.some((d) => d.endpointId === c.id)).toBe(false);
    await t.sender.worker().runOnce();
    expect(receiver.count(message.id)).toBe(3);
  });
});
