/**
 * Receivers that fail in every way an HTTP peer can: each is a failed attempt
 * of the right kind, never a success, and never a followed redirect.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Receiver, setup, startReceiver } from "./test-helpers.js";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

/** Sends one message to `receiver` (answering with `handler`), runs one pass, returns the outcome. */
async function attemptWith(
  handler: Parameters<Receiver["handle"]>[0],
  overrides: Parameters<typeof setup>[0] = {},
  url = receiver.url,
) {
  const t = setup({ timeoutMs: 300, ...overrides });
  const endpoint = await t.sender.endpoints.create({ url });
  receiver.handle(handler);
  const message = await t.sender.send("thing.happened", { n: 1 });
  expect(await t.sender.worker({ leaseMs: 5000 }).runOnce()).toBe(1);
  const [delivery] = (await t.sender.deliveries({ messageId: message.id })).items;
  const [attempt] = await t.sender.attempts(delivery!.id);
  return { t, endpoint, message, delivery: delivery!, attempt: attempt! };
}

describe("failed attempts", () => {
  it("times out a receiver that never answers", async () => {
    const { delivery, attempt, t } = await attemptWith(() => {});
    expect(attempt).toMatchObject({ statusCode: null, errorKind: "timeout" });
    expect(delivery).toMatchObject({
      status: "failed",
      attempts: 1,
      lastError: "timeout",
      nextAttemptAt: t.clock.now() + 5000,
    });
  });

  it("times out a receiver that stalls in the middle of its response body", async () => {
    const { attempt } = await attemptWith((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("still thinking");
    });
    expect(attempt).toMatchObject({
      statusCode: 200,
      errorKind: "timeout",
      responseExcerpt: "still thinking",
    });
  });

  it("fails on a 500, keeping the first KiB of the response", async () => {
    const { delivery, attempt } = await attemptWith((_req, res) =>
      res.writeHead(500, { "content-type": "text/plain" }).end("x".repeat(5000)),
    );
    expect(attempt).toMatchObject({
      statusCode: 500,
      errorKind: "http_status",
      errorDetail: "HTTP 500",
    });
    expect(attempt.responseExcerpt).toBe("x".repeat(1024));
    expect(delivery).toMatchObject({ status: "failed", lastStatusCode: 500 });
  });

  it("disables the endpoint at once on 410 Gone, and kills its other deliveries", async () => {
    const { t, endpoint, delivery, attempt } = await attemptWith((_req, res) =>
      res.writeHead(410).end(),
    );
    expect(attempt).toMatchObject({ statusCode: 410, errorKind: "http_status" });
    expect(delivery).toMatchObject({ status: "dead", lastStatusCode: 410 });
    expect(await t.sender.endpoints.get(endpoint.id)).toMatchObject({
      enabled: false,
      disabledReason: "gone",
    });
    expect(t.ofType("webhook.endpoint_disabled").map((e) => e.data)).toEqual([
      { endpointId: endpoint.id, reason: "gone" },
    ]);
    expect(t.ofType("webhook.delivery_dead")).toHaveLength(1);
    const later = await t.sender.send("thing.happened", { n: 2 });
    expect((await t.sender.deliveries({ messageId: later.id })).items).toEqual([]);
  });

  it("never follows a redirect", async () => {
    const target = await startReceiver();
    try {
      const { attempt, delivery } = await attemptWith((_req, res) =>
        res.writeHead(307, { location: target.url }).end(),
      );
      expect(attempt).toMatchObject({ statusCode: 307, errorKind: "redirect" });
      expect(delivery.status).toBe("failed");
      expect(target.hits).toHaveLength(0);
      expect(receiver.hits).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it("fails when the receiver closes the connection mid-response", async () => {
    const { attempt } = await attemptWith((req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("partial", () => req.socket.destroy());
    });
    expect(attempt).toMatchObject({ statusCode: 200, errorKind: "network" });
  });

  it("fails when the receiver resets the connection before answering", async () => {
    const { attempt } = await attemptWith((req) => req.socket.destroy());
    expect(attempt).toMatchObject({ statusCode: null, errorKind: "network" });
  });

  it("fails when nothing listens (connection refused)", async () => {
    const closed = await startReceiver();
    await closed.close();
    const { attempt, delivery } = await attemptWith(() => {}, {}, closed.url);
    expect(attempt).toMatchObject({
      statusCode: null,
      errorKind: "network",
      errorDetail: "ECONNREFUSED",
    });
    expect(delivery.lastError).toBe("network");
  });

  it("stops reading a huge response once its status is known and 1 MiB was read", async () => {
    const { attempt, delivery } = await attemptWith((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = "y".repeat(65_536);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
        if (!res.destroyed) res.once("drain", pump);
      };
      res.on("close", () => {});
      pump();
    });
    expect(attempt).toMatchObject({ statusCode: 200, errorKind: null });
    expect(attempt.responseExcerpt!.length).toBeLessThanOrEqual(1024);
    expect(delivery.status).toBe("succeeded");
  });

  it("counts only 2xx as success", async () => {
    for (const status of [200, 201, 202, 204, 299]) {
      const { delivery } = await attemptWith((_req, res) => res.writeHead(status).end());
      expect(delivery.status).toBe("succeeded");
    }
    for (const status of [300, 304, 400, 401, 404, 429, 502]) {
      const { delivery } = await attemptWith((_req, res) => res.writeHead(status).end());
      expect(delivery.status).toBe("failed");
    }
  });
});
