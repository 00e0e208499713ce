/**
 * A successful delivery: the request a receiver gets, verified by our
 * verifier, svix and standardwebhooks; secret rotation with two signatures.
 */
import { createFakeClock } from "@gatehouse/testing";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWebhookVerifier } from "../verify.js";
import { webhookEndpointModel } from "./models.js";
import { type Receiver, setup, startReceiver } from "./test-helpers.js";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

const headersOf = (h: Record<string, unknown>) =>
  Object.fromEntries(
    ["webhook-id", "webhook-timestamp", "webhook-signature"].map((k) => [k, String(h[k])]),
  );

describe("delivery", () => {
  it("POSTs the payload with Standard Webhooks headers that our verifier, svix and standardwebhooks accept", async () => {
    // svix and standardwebhooks check the timestamp against the real clock.
    const t = setup({}, undefined, createFakeClock(Date.now()));
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    const secret = await t.sender.endpoints.secret(endpoint.id);
    const message = await t.sender.send("user.created", { id: "user_1", name: "Zoë" });
    expect(await t.sender.worker().runOnce()).toBe(1);

    expect(receiver.hits).toHaveLength(1);
    const hit = receiver.hits[0]!;
    expect(hit.body).toBe(JSON.stringify({ id: "user_1", name: "Zoë" }));
    expect(hit.headers["content-type"]).toBe("application/json");
    expect(hit.headers["user-agent"]).toBe("Gatehouse-Webhooks/1");
    expect(hit.headers["webhook-id"]).toBe(message.id);
    expect(hit.headers["webhook-timestamp"]).toBe(String(Math.floor(t.clock.now() / 1000)));
    expect(String(hit.headers["webhook-signature"])).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

    const headers = headersOf(hit.headers);
    expect(
      createWebhookVerifier({ secrets: secret, clock: t.clock }).verify(hit.body, headers),
    ).toMatchObject({ id: message.id, payload: { id: "user_1" } });
    expect(new SvixWebhook(secret).verify(hit.body, headers)).toMatchObject({ id: "user_1" });
    expect(new StandardWebhook(secret).verify(hit.body, headers)).toMatchObject({ id: "user_1" });
    const at = new Date(Number(headers["webhook-timestamp"]) * 1000);
    expect(new SvixWebhook(secret).sign(message.id, at, hit.body)).toBe(
      headers["webhook-signature"],
    );

    const [delivery] = (await t.sender.deliveries({ messageId: message.id })).items;
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200 });
    const attempts = await t.sender.attempts(delivery!.id);
    expect(attempts).toEqual([
      expect.objectContaining({
        statusCode: 200,
        errorKind: null,
        responseExcerpt: "ok",
        at: t.clock.now(),
      }),
    ]);
    expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("keeps the webhook-id across retries and signs each attempt with its own timestamp", async () => {
    const t = setup({ schedule: [0, 60] });
    await t.sender.endpoints.create({ url: receiver.url });
    const message = await t.sender.send("user.updated", { n: 1 });
    receiver.handle((_req, res) => res.writeHead(503).end());
    await t.sender.worker().runOnce();
    t.clock.advance(60_000);
    receiver.handle((_req, res) => res.writeHead(204).end());
    await t.sender.worker().runOnce();
    expect(receiver.hits.map((h) => h.id)).toEqual([message.id, message.id]);
    const [a, b] = receiver.hits.map((h) => Number(h.headers["webhook-timestamp"]));
    expect(b! - a!).toBe(60);
  });

  it("signs with both secrets during a rotation overlap, then with the new one only", async () => {
    const t = setup();
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    const oldSecret = await t.sender.endpoints.secret(endpoint.id);
    const newSecret = await t.sender.endpoints.rotateSecret(endpoint.id, { overlapSec: 3600 });
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(await t.sender.endpoints.secret(endpoint.id)).toBe(newSecret);

    await t.sender.send("a.b", { during: true });
    await t.sender.worker().runOnce();
    const during = receiver.hits[0]!;
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      const verifier = createWebhookVerifier({ secrets: secret, clock: t.clock });
      expect(verifier.verify(during.body, headersOf(during.headers)).payload).toEqual({
        during: true,
      });
    }

    t.clock.advance(3600_000);
    await t.sender.send("a.b", { after: true });
    await t.sender.worker().runOnce();
    const after = receiver.hits[1]!;
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(() =>
      createWebhookVerifier({ secrets: oldSecret, clock: t.clock }).verify(
        after.body,
        headersOf(after.headers),
      ),
    ).toThrow(expect.objectContaining({ code: "webhook_signature_invalid" }));
    createWebhookVerifier({ secrets: newSecret, clock: t.clock }).verify(
      after.body,
      headersOf(after.headers),
    );
  });

  it("rotates with no overlap when overlapSec is 0", async () => {
    const t = setup();
    const endpoint = await t.sender.endpoints.create({ url: receiver.url });
    await t.sender.endpoints.rotateSecret(endpoint.id, { overlapSec: 0 });
    await t.sender.send("a.b", {});
    await t.sender.worker().runOnce();
    expect(String(receiver.hits[0]!.headers["webhook-signature"]).split(" ")).toHaveLength(1);
  });

  it("stores endpoint secrets encrypted, bound to their endpoint", async () => {
    const t = setup();
    const a = await t.sender.endpoints.create({ url: receiver.url });
    const b = await t.sender.endpoints.create({ url: receiver.url });
    const secret = await t.sender.endpoints.secret(a.id);
    const raw = await t.records.findOne(webhookEndpointModel, { id: a.id });
    expect(raw!.secret).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(raw!.secret).not.toContain(secret.slice(6));
    expect(JSON.stringify(a)).not.toContain("whsec_");
    // A sealed secret copied onto another endpoint does not open.
    await t.records.update(webhookEndpointModel, b.id, { secret: raw!.secret });
    await expect(t.sender.endpoints.secret(b.id)).rejects.toMatchObject({ code: "config_invalid" });
  });
});
