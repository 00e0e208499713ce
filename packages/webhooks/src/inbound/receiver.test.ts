import { createEventBus, type EventEnvelope } from "@gatehouse/core";
import { StoreUnavailableError } from "@gatehouse/core/errors";
import { createMemoryKeyValueStore } from "@gatehouse/core/store";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import type { ClerkEventSchemas } from "../clerk/events.js";
import { clerkSampleEvent } from "../clerk/fixtures.js";
import type { WebhookReceiverOptions } from "./options.js";
import { createWebhookReceiver } from "./receiver.js";
import { deferred, downKv, rejection, SECRET, signed } from "./test-helpers.js";

function setup(
  overrides: Partial<Omit<WebhookReceiverOptions<ClerkEventSchemas>, "schemas">> = {},
) {
  const clock = createFakeClock();
  const kv = createMemoryKeyValueStore({ clock });
  const bus = createEventBus({ clock });
  const events: EventEnvelope[] = [];
  bus.on("*", (e) => {
    events.push(e);
  });
  const receiver = createWebhookReceiver({ secrets: SECRET, kv, clock, events: bus, ...overrides });
  const deliver = (
    payload: unknown,
    opts: { id?: string; headers?: Record<string, string> } = {},
  ) => receiver.handle(signed(payload, clock, opts));
  return { clock, kv, receiver, deliver, events };
}

const userCreated = clerkSampleEvent("user.created");

describe("createWebhookReceiver", () => {
  it("verifies, validates and runs the handlers of the type in registration order", async () => {
    const { receiver, deliver, clock } = setup();
    const calls: string[] = [];
    receiver.on("user.created", (event, ctx) => {
      calls.push(`first:${event.data.email_addresses[0]?.email_address}`);
      expect(ctx).toEqual({ id: "msg_a", timestamp: Math.floor(clock.now() / 1000) });
    });
    receiver.onAny((event) => {
      calls.push(`any:${event.type}`);
    });
    receiver.on("user.created", async (event) => {
      calls.push(`second:${event.data.id}`);
    });
    receiver.on("user.updated", () => {
      calls.push("wrong type");
    });
    expect(await deliver(userCreated, { id: "msg_a" })).toEqual({
      status: 200,
      outcome: "processed",
    });
    expect(calls).toEqual([
      "first:ada@example.com",
      "any:user.created",
      `second:${userCreated.data.id}`,
    ]);
  });

  it("hands handlers the parsed event: defaults applied, unknown fields kept", async () => {
    const { receiver, deliver } = setup();
    const seen: unknown[] = [];
    receiver.on("user.created", (event) => {
      seen.push(event);
    });
    const { unsafe_metadata: _, ...data } = userCreated.data;
    await deliver({ ...userCreated, data: { ...data, brand_new_field: 1 }, new_top: true });
    expect(seen[0]).toMatchObject({
      data: { unsafe_metadata: {}, brand_new_field: 1 },
      new_top: true,
    });
  });

  it("refuses a payload that does not fit its schema with 400, without running anything", async () => {
    const { receiver, deliver, kv } = setup();
    let ran = 0;
    receiver.on("user.created", () => {
      ran++;
    });
    receiver.onAny(() => {
      ran++;
    });
    const bad = {
      ...userCreated,
      data: { ...userCreated.data, email_addresses: "ada@example.com" },
    };
    const err = await rejection(deliver(bad, { id: "msg_bad" }));
    expect(err).toMatchObject({ code: "webhook_body_invalid", status: 400 });
    expect(err.message).toContain("payload.data.email_addresses");
    expect(err.message).not.toContain("ada@example.com");
    expect(ran).toBe(0);
    expect(kv.size).toBe(0);
    for (const broken of [
      { ...userCreated, timestamp: "1767225600000" },
      { ...userCreated, object: "not-event" },
      { ...userCreated, data: { ...userCreated.data, id: 42 } },
    ]) {
      expect((await rejection(deliver(broken))).code).toBe("webhook_body_invalid");
    }
  });

  it("neither pollutes prototypes nor trips on a hostile payload", async () => {
    const { receiver, deliver } = setup();
    const seen: unknown[] = [];
    receiver.on("user.created", (event) => {
      seen.push(event);
    });
    const body = JSON.stringify(userCreated).replace(
      '"data":{',
      '"__proto__":{"polluted":1},"data":{"__proto__":{"polluted":2},',
    );
    expect((await deliver(body)).outcome).toBe("processed");
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
    expect((seen[0] as { polluted?: number }).polluted).toBeUndefined();
    expect(((seen[0] as { data: object }).data as { polluted?: number }).polluted).toBeUndefined();
    expect((await rejection(receiver.handle(undefined as never))).code).toBe("config_invalid");
  });

  it("refuses a payload without a usable type", async () => {
    const { deliver } = setup();
    for (const type of [undefined, 7, "", "x".repeat(129)]) {
      expect((await rejection(deliver({ ...userCreated, type }))).code).toBe(
        "webhook_body_invalid",
      );
    }
  });

  it("answers a redelivery 200 duplicate without running anything", async () => {
    const { receiver, deliver } = setup();
    let ran = 0;
    receiver.on("user.created", () => {
      ran++;
    });
    expect((await deliver(userCreated, { id: "msg_dup" })).outcome).toBe("processed");
    expect(await deliver(userCreated, { id: "msg_dup" })).toEqual({
      status: 200,
      outcome: "duplicate",
    });
    expect(ran).toBe(1);
    expect((await deliver(userCreated, { id: "msg_other" })).outcome).toBe("processed");
    expect(ran).toBe(2);
  });

  it("runs a message once when it is delivered twice at the same time; the other gets 409", async () => {
    const { receiver, deliver } = setup();
    const gate = deferred();
    const entered = deferred();
    let ran = 0;
    receiver.on("user.created", async () => {
      ran++;
      entered.resolve();
      await gate.promise;
    });
    const first = deliver(userCreated, { id: "msg_race" });
    await entered.promise;
    const second = await rejection(deliver(userCreated, { id: "msg_race" }));
    expect(second).toMatchObject({ code: "webhook_in_progress", status: 409 });
    gate.resolve();
    expect((await first).outcome).toBe("processed");
    expect((await deliver(userCreated, { id: "msg_race" })).outcome).toBe("duplicate");
    expect(ran).toBe(1);
  });

  it("lets exactly one of many simultaneous deliveries run", async () => {
    const { receiver, deliver } = setup();
    let ran = 0;
    receiver.on("user.created", async () => {
      ran++;
      await new Promise((r) => setImmediate(r));
    });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => deliver(userCreated, { id: "msg_many" })),
    );
    expect(ran).toBe(1);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r.reason as { code: string }).code).toBe("webhook_in_progress");
    }
  });

  it("answers 500 when a handler throws, releases the message, and runs it again on retry", async () => {
    const { receiver, deliver, kv } = setup();
    const boom = new Error("database said no: secret-ish detail");
    let calls = 0;
    receiver.on("user.created", () => {
      calls++;
      if (calls === 1) throw boom;
    });
    const err = await rejection(deliver(userCreated, { id: "msg_fail" }));
    expect(err).toMatchObject({ code: "webhook_handler_failed", status: 500 });
    expect(err.cause).toBe(boom);
    expect(err.message).not.toContain("secret-ish");
    expect(await kv.get("webhooks:msg:msg_fail")).toBeUndefined();
    expect((await deliver(userCreated, { id: "msg_fail" })).outcome).toBe("processed");
    expect(calls).toBe(2);
    expect(await kv.get("webhooks:msg:msg_fail")).toBe("done");
  });

  it("stops at the first failing handler, and answers 503 when the handler's store is down", async () => {
    const { receiver, deliver } = setup();
    const ran: string[] = [];
    receiver.on("user.created", async () => {
      ran.push("a");
      throw new StoreUnavailableError("down");
    });
    receiver.on("user.created", () => {
      ran.push("b");
    });
    const err = await rejection(deliver(userCreated));
    expect(err).toMatchObject({ code: "webhook_handler_failed", status: 503 });
    expect(ran).toEqual(["a"]);
  });

  it("frees the message of a process that died mid-run once lockTtlSec has passed", async () => {
    const { receiver, deliver, clock } = setup({ idempotency: { lockTtlSec: 30 } });
    let calls = 0;
    receiver.on("user.created", () => {
      calls++;
      // The first run never finishes: the process "died" holding the lock.
      if (calls === 1) return new Promise<void>(() => {});
    });
    void deliver(userCreated, { id: "msg_stale" });
    await new Promise((r) => setImmediate(r));
    expect((await rejection(deliver(userCreated, { id: "msg_stale" }))).code).toBe(
      "webhook_in_progress",
    );
    clock.advance(29_999);
    expect((await rejection(deliver(userCreated, { id: "msg_stale" }))).code).toBe(
      "webhook_in_progress",
    );
    clock.advance(1);
    expect((await deliver(userCreated, { id: "msg_stale" })).outcome).toBe("processed");
    expect(calls).toBe(2);
  });

  it("forgets processed ids after ttlSec", async () => {
    const { receiver, deliver, clock } = setup({ idempotency: { ttlSec: 3600 } });
    let calls = 0;
    receiver.on("user.created", () => {
      calls++;
    });
    await deliver(userCreated, { id: "msg_ttl" });
    clock.advance(3_599_000);
    expect((await deliver(userCreated, { id: "msg_ttl" })).outcome).toBe("duplicate");
    clock.advance(1000);
    expect((await deliver(userCreated, { id: "msg_ttl" })).outcome).toBe("processed");
    expect(calls).toBe(2);
  });

  it("answers 503 store_unavailable when the store is down, before any handler runs", async () => {
    const clock = createFakeClock();
    const kv = createMemoryKeyValueStore({ clock });
    let ran = 0;
    const receiver = createWebhookReceiver({ secrets: SECRET, kv: downKv(kv), clock });
    receiver.on("user.created", () => {
      ran++;
    });
    const err = await rejection(receiver.handle(signed(userCreated, clock)));
    expect(err).toMatchObject({ code: "store_unavailable", status: 503 });
    expect(ran).toBe(0);

    // Down only when marking done: 503, and the retry is held off until the lock expires.
    const late = createWebhookReceiver({ secrets: SECRET, kv: downKv(kv, ["set"]), clock });
    late.on("user.created", () => {
      ran++;
    });
    const done = await rejection(late.handle(signed(userCreated, clock, { id: "msg_set" })));
    expect(done.code).toBe("store_unavailable");
    expect(ran).toBe(1);

    // A store that rejects with a plain error is an outage too.
    const plain = { ...kv, get: async () => Promise.reject(new Error("ECONNRESET")) };
    await kv.set("webhooks:msg:msg_plain", "processing");
    const odd = createWebhookReceiver({ secrets: SECRET, kv: plain, clock });
    odd.onAny(() => {});
    const err2 = await rejection(odd.handle(signed(userCreated, clock, { id: "msg_plain" })));
    expect(err2).toMatchObject({ code: "store_unavailable", status: 503 });
    expect((err2.cause as Error).message).toBe("ECONNRESET");
  });

  it("gives types without a schema to onUnknown and onAny, with the raw object", async () => {
    const { receiver, deliver } = setup();
    const seen: string[] = [];
    receiver.on("user.created", () => {
      seen.push("typed");
    });
    receiver.onUnknown((event) => {
      seen.push(`unknown:${event.type}:${String(event.data)}`);
    });
    receiver.onAny((event) => {
      seen.push(`any:${event.type}`);
    });
    const outcome = await deliver({ type: "waitlistEntry.created", data: "raw", object: "event" });
    expect(outcome.outcome).toBe("processed");
    expect(seen).toEqual(["unknown:waitlistEntry.created:raw", "any:waitlistEntry.created"]);
    for (const type of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      seen.length = 0;
      await deliver(JSON.parse(`{"type":${JSON.stringify(type)},"data":{}}`));
      expect(seen).toEqual([`unknown:${type}:[object Object]`, `any:${type}`]);
    }
  });

  it("answers 200 ignored for a type nobody handles, unvalidated, and records it", async () => {
    const { receiver, deliver } = setup();
    receiver.on("user.updated", () => {});
    expect(await deliver({ type: "user.created", data: "not a user" }, { id: "msg_ign" })).toEqual({
      status: 200,
      outcome: "ignored",
    });
    expect((await deliver(userCreated, { id: "msg_ign" })).outcome).toBe("duplicate");
    expect((await deliver({ type: "something.else" })).outcome).toBe("ignored");
  });

  it("removes a handler with the function on() returns", async () => {
    const { receiver, deliver } = setup();
    let ran = 0;
    const off = receiver.on("user.created", () => {
      ran++;
    });
    off();
    off();
    expect((await deliver(userCreated)).outcome).toBe("ignored");
    expect(ran).toBe(0);
  });

  it("keys any message id the sender uses, hashing those that are not plain", async () => {
    const { receiver, deliver, kv } = setup();
    let ran = 0;
    receiver.on("user.created", () => {
      ran++;
    });
    for (const id of ["msg id with spaces", "msg_ü", "a".repeat(256), "msg:colon"]) {
      expect((await deliver(userCreated, { id })).outcome).toBe("processed");
      expect((await deliver(userCreated, { id })).outcome).toBe("duplicate");
    }
    expect(ran).toBe(4);
    expect(kv.size).toBe(4);
  });

  it("passes the attempt number when the sender sends one", async () => {
    const { receiver, deliver } = setup();
    const attempts: unknown[] = [];
    receiver.on("user.created", (_e, ctx) => {
      attempts.push(ctx.attempt);
    });
    await deliver(userCreated, { headers: { "webhook-attempt": "3" } });
    await deliver(userCreated, { headers: { "svix-attempt": "x" } });
    expect(attempts).toEqual([3, undefined]);
  });

  it("emits webhook.received and webhook.failed without payloads or secrets", async () => {
    const { receiver, deliver, events, clock } = setup();
    receiver.on("user.created", () => {
      throw new Error("no");
    });
    await rejection(deliver(userCreated, { id: "msg_ev" }));
    await deliver(clerkSampleEvent("user.updated"), { id: "msg_ok" });
    const forged = signed(userCreated, clock, {
      secret: "whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCAxMjM0",
    });
    await rejection(receiver.handle(forged));
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        "webhook.failed",
        { messageId: "msg_ev", type: "user.created", code: "webhook_handler_failed", status: 500 },
      ],
      ["webhook.received", { messageId: "msg_ok", type: "user.updated", outcome: "ignored" }],
      [
        "webhook.failed",
        { messageId: null, type: null, code: "webhook_signature_invalid", status: 400 },
      ],
    ]);
    const text = JSON.stringify(events);
    expect(text).not.toContain("ada@example.com");
    expect(text).not.toContain(SECRET.slice(6));
  });

  it("refuses bad options and handlers at start-up, naming them", () => {
    const kv = createMemoryKeyValueStore();
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`;
      }
      return "none";
    };
    expect(codeOf(() => createWebhookReceiver({ secrets: SECRET, kv: {} as never }))).toMatch(
      /config_invalid.*"kv"/,
    );
    expect(
      codeOf(() => createWebhookReceiver({ secrets: SECRET, kv, idempotency: { ttlSec: 300 } })),
    ).toMatch(/config_invalid.*"idempotency.ttlSec"/);
    expect(
      codeOf(() => createWebhookReceiver({ secrets: SECRET, kv, idempotency: { lockTtlSec: 0 } })),
    ).toMatch(/config_invalid.*"idempotency.lockTtlSec"/);
    expect(codeOf(() => createWebhookReceiver({ secrets: "nope", kv }))).toMatch(/config_invalid/);
    expect(
      codeOf(() => createWebhookReceiver({ secrets: SECRET, kv, schemas: { a: 1 } as never })),
    ).toMatch(/config_invalid.*"schemas"/);
    const receiver = createWebhookReceiver({ secrets: SECRET, kv });
    expect(codeOf(() => receiver.on("user.create" as never, () => {}))).toMatch(
      /config_invalid.*"user\.create"/,
    );
    expect(codeOf(() => receiver.on("user.created", "nope" as never))).toMatch(/config_invalid/);
    expect(codeOf(() => receiver.onAny(undefined as never))).toMatch(/config_invalid/);
  });

  it("verifies before anything else: a forged or stale delivery touches no store", async () => {
    const { receiver, deliver, kv, clock } = setup();
    let ran = 0;
    receiver.onAny(() => {
      ran++;
    });
    const request = signed(userCreated, clock);
    clock.advance(301_000);
    expect((await rejection(receiver.handle(request))).code).toBe("webhook_timestamp_expired");
    const tampered = signed(userCreated, clock);
    expect(
      (await rejection(receiver.handle({ ...tampered, rawBody: `${tampered.rawBody} ` }))).code,
    ).toBe("webhook_signature_invalid");
    expect(ran).toBe(0);
    expect(kv.size).toBe(0);
    expect((await deliver(userCreated)).outcome).toBe("processed");
  });
});
