/** Options are validated at start-up, naming the option; endpoint input is validated per call. */
import { createMemoryRecordStore } from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import { createWebhookSender } from "./sender.js";
import { SECRET, setup } from "./test-helpers.js";

const records = createMemoryRecordStore();

describe("options", () => {
  it("names the bad option", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ secret: "short" }, /option "secret"/],
      [{ secret: [] }, /option "secret"/],
      [{ records: {} }, /option "records"/],
      [{ schedule: [] }, /option "schedule"/],
      [{ schedule: [0, -1] }, /option "schedule.1"/],
      [{ timeoutMs: 0 }, /option "timeoutMs"/],
      [{ allowedHosts: ["not a host!"] }, /option "allowedHosts.0"/],
      [{ allowedHosts: ["10.0.0.0/33"] }, /option "allowedHosts.0"/],
      [{ userAgent: "bad\nagent" }, /option "userAgent"/],
      [{ lookup: "8.8.8.8" }, /option "lookup"/],
      [{ typo: true }, /typo/],
    ];
    for (const [override, message] of bad) {
      expect(() => createWebhookSender({ records, secret: SECRET, ...override } as never)).toThrow(
        message,
      );
    }
    expect(() =>
      createWebhookSender({
        records,
        secret: SECRET,
        allowedHosts: ["hooks.internal", "10.0.0.0/8", "::1"],
      }),
    ).not.toThrow();
  });

  it("decrypts endpoint secrets after the app secret is rotated (old kept second), not after it is dropped", async () => {
    const t = setup();
    const endpoint = await t.sender.endpoints.create({ url: "http://127.0.0.1/" });
    const secret = await t.sender.endpoints.secret(endpoint.id);
    const NEXT = "the-next-app-secret-the-next-app-secret!";
    const rotated = setup({ secret: [NEXT, SECRET] }, t.records, t.clock);
    expect(await rotated.sender.endpoints.secret(endpoint.id)).toBe(secret);
    // A rotation re-seals under the new app secret.
    const fresh = await rotated.sender.endpoints.rotateSecret(endpoint.id);
    const dropped = setup({ secret: NEXT }, t.records, t.clock);
    expect(await dropped.sender.endpoints.secret(endpoint.id)).toBe(fresh);
    const other = await t.sender.endpoints.create({ url: "http://127.0.0.1/" });
    await expect(dropped.sender.endpoints.secret(other.id)).rejects.toMatchObject({
      code: "config_invalid",
    });
  });

  it("validates endpoint input and answers not_found for unknown ids", async () => {
    const t = setup();
    const create = t.sender.endpoints.create as (input: unknown) => Promise<unknown>;
    for (const input of [
      {},
      { url: 42 },
      { url: "http://127.0.0.1/", eventTypes: [] },
      { url: "http://127.0.0.1/", eventTypes: ["has space"] },
      { url: "http://127.0.0.1/", eventTypes: ["*"] },
      { url: "http://127.0.0.1/", description: "x".repeat(1001) },
      { url: "http://127.0.0.1/", secret: "whsec_mine" },
    ]) {
      await expect(create(input), JSON.stringify(input)).rejects.toMatchObject({
        code: "input_invalid",
      });
    }
    const e = await t.sender.endpoints.create({
      url: "http://127.0.0.1/",
      eventTypes: ["a.*", "a.*", "b.c"],
    });
    expect(e.eventTypes).toEqual(["a.*", "b.c"]);
    const updated = await t.sender.endpoints.update(e.id, { eventTypes: null, description: "d" });
    expect(updated).toMatchObject({ eventTypes: null, description: "d" });
    expect(await t.sender.endpoints.get("ep_nope")).toBeUndefined();
    expect(await t.sender.endpoints.delete("ep_nope")).toBe(false);
    for (const call of [
      () => t.sender.endpoints.update("ep_nope", {}),
      () => t.sender.endpoints.enable("ep_nope"),
      () => t.sender.endpoints.disable("ep_nope"),
      () => t.sender.endpoints.secret("ep_nope"),
      () => t.sender.endpoints.rotateSecret("ep_nope"),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "not_found", status: 404 });
    }
    await expect(t.sender.endpoints.rotateSecret(e.id, { overlapSec: -1 })).rejects.toMatchObject({
      code: "input_invalid",
    });
  });

  it("enables and disables endpoints by hand", async () => {
    const t = setup();
    const e = await t.sender.endpoints.create({ url: "http://127.0.0.1/" });
    const disabled = await t.sender.endpoints.disable(e.id);
    expect(disabled).toMatchObject({
      enabled: false,
      disabledReason: "manual",
      disabledAt: t.clock.now(),
    });
    expect(t.ofType("webhook.endpoint_disabled").map((x) => x.data)).toEqual([
      { endpointId: e.id, reason: "manual" },
    ]);
    expect(await t.sender.endpoints.enable(e.id)).toMatchObject({
      enabled: true,
      disabledReason: null,
      disabledAt: null,
    });
    const m = await t.sender.send("a.b", {});
    expect((await t.sender.deliveries({ messageId: m.id })).items).toHaveLength(1);
    expect(await t.sender.endpoints.delete(e.id)).toBe(true);
    const [d] = (await t.sender.deliveries({ messageId: m.id })).items;
    expect(d).toMatchObject({ status: "dead", lastError: "endpoint_deleted" });
  });
});
