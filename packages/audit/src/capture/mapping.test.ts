import { describe, expect, it } from "vitest";
import { captureEvents } from "../capture.js";
import { AT, memoryLog, testBus } from "./test-helpers.js";

/** The audit event one bus event becomes under the default mapping. */
function mapped(type: string, data: unknown) {
  const { bus, emit } = testBus();
  const log = memoryLog();
  captureEvents(bus, log);
  emit(type, data);
  expect(log.events).toHaveLength(1);
  return log.events[0]!;
}

describe("the default mapping", () => {
  it("session.created: the user acted on their session; the rest is metadata", () => {
    const event = mapped("session.created", {
      sessionId: "sess_1",
      userId: "user_1",
      deviceId: "dev_1",
      newDevice: true,
      authMethod: "password",
      ip: "203.0.113.7",
    });
    expect(event).toEqual({
      action: "session.created",
      actor: { type: "user", id: "user_1" },
      target: { type: "session", id: "sess_1" },
      orgId: null,
      outcome: "success",
      ip: "203.0.113.7",
      userAgent: null,
      metadata: {
        eventId: expect.any(String),
        deviceId: "dev_1",
        newDevice: true,
        authMethod: "password",
      },
      time: AT,
    });
  });

  it("session.revoked: the revoker is the user, an admin, or the system", () => {
    const revoked = (by: string) =>
      mapped("session.revoked", { sessionId: "s", userId: "user_1", reason: "x", by });
    expect(revoked("user_1").actor).toEqual({ type: "user", id: "user_1" });
    expect(revoked("user_admin").actor).toEqual({ type: "admin", id: "user_admin" });
    expect(revoked("system").actor).toEqual({ type: "system", id: null });
    expect(revoked("user_admin").metadata).toMatchObject({ by: "user_admin", userId: "user_1" });
  });

  it("session.reuse_detected is denied with the request's IP and user agent; expired is a failure", () => {
    const reuse = mapped("session.reuse_detected", {
      sessionId: "s",
      userId: "u",
      ip: "198.51.100.1",
      userAgent: "curl/8",
    });
    expect(reuse).toMatchObject({ outcome: "denied", ip: "198.51.100.1", userAgent: "curl/8" });
    expect(reuse.metadata).not.toHaveProperty("ip");
    expect(mapped("session.expired", { sessionId: "s", userId: "u", why: "idle" }).outcome).toBe(
      "failure",
    );
  });

  it("device events target the device", () => {
    expect(mapped("device.trusted", { userId: "u", deviceId: "d" })).toMatchObject({
      actor: { type: "user", id: "u" },
      target: { type: "device", id: "d" },
    });
  });

  it("api_key.*: the key is the target, never the key itself; creator and revoker act", () => {
    const created = mapped("api_key.created", {
      keyId: "key_1",
      subject: "user_1",
      kind: "secret",
      scopes: ["a"],
      createdBy: "user_1",
    });
    expect(created).toMatchObject({
      actor: { type: "user", id: "user_1" },
      target: { type: "api_key", id: "key_1" },
      metadata: { subject: "user_1", kind: "secret", scopes: ["a"] },
    });
    const bySystem = mapped("api_key.created", { keyId: "k", subject: "s", createdBy: null });
    expect(bySystem.actor).toEqual({ type: "system", id: null });
    const revoked = mapped("api_key.revoked", { keyId: "k", subject: "user_1", by: "user_2" });
    expect(revoked.actor).toEqual({ type: "admin", id: "user_2" });
    const rotated = mapped("api_key.rotated", {
      keyId: "k",
      newKeyId: "k2",
      subject: "user_1",
      overlapUntil: 1,
    });
    expect(rotated).toMatchObject({
      actor: { type: "user", id: "user_1" },
      target: { type: "api_key", id: "k" },
      metadata: { newKeyId: "k2" },
    });
  });

  it("authz.denied is denied, in the decision's organization, signed out as a user without id", () => {
    const event = mapped("authz.denied", {
      userId: null,
      orgId: "org_1",
      activeOrgId: null,
      rule: "permission:org:invoices:read",
      reason: "signed_out",
      missing: ["org:invoices:read"],
    });
    expect(event).toMatchObject({
      action: "authz.denied",
      actor: { type: "user", id: null },
      orgId: "org_1",
      outcome: "denied",
      metadata: { rule: "permission:org:invoices:read", missing: ["org:invoices:read"] },
    });
  });

  it("webhook.* and signing_key.rotated are the system's", () => {
    expect(mapped("webhook.received", { messageId: "msg_1", type: "user.created" })).toMatchObject({
      actor: { type: "system" },
      target: { type: "webhook_message", id: "msg_1" },
    });
    const forged = mapped("webhook.failed", {
      messageId: null,
      type: null,
      code: "webhook_signature_invalid",
      status: 400,
    });
    expect(forged).toMatchObject({ outcome: "denied", target: null });
    expect(
      mapped("webhook.failed", { messageId: "m", code: "webhook_handler_failed", status: 500 })
        .outcome,
    ).toBe("failure");
    expect(
      mapped("webhook.delivery_dead", { deliveryId: "d", messageId: "m", endpointId: "e" }),
    ).toMatchObject({ outcome: "failure", target: { type: "webhook_delivery", id: "d" } });
    expect(mapped("webhook.endpoint_disabled", { endpointId: "e", reason: "gone" })).toMatchObject({
      target: { type: "webhook_endpoint", id: "e" },
      metadata: { reason: "gone" },
    });
    expect(mapped("signing_key.rotated", { kid: "kid_2", activatesAt: 5 })).toMatchObject({
      actor: { type: "system", id: null },
      target: { type: "signing_key", id: "kid_2" },
      metadata: { activatesAt: 5 },
    });
  });

  it("records an unknown type generically: userId, orgId, outcome from its name, data as metadata", () => {
    expect(mapped("mfa.enrolled", { userId: "u", orgId: "o", method: "totp" })).toMatchObject({
      action: "mfa.enrolled",
      actor: { type: "user", id: "u" },
      orgId: "o",
      outcome: "success",
      metadata: { method: "totp" },
    });
    expect(mapped("signin.failed", { reason: "x" })).toMatchObject({
      actor: { type: "system", id: null },
      outcome: "failure",
    });
    expect(mapped("invite.denied", {}).outcome).toBe("denied");
  });

  it("survives hostile data: not an object, wrong types, __proto__ keys", () => {
    expect(mapped("odd.thing", "just a string").metadata).toMatchObject({ value: "just a string" });
    expect(mapped("odd.list", [1, 2]).metadata).toMatchObject({ value: [1, 2] });
    expect(mapped("odd.none", undefined).metadata).toMatchObject({ value: null });
    const wrong = mapped("session.created", { sessionId: 42, userId: { $ne: 1 }, ip: ["x"] });
    expect(wrong).toMatchObject({ actor: { type: "user", id: null }, target: null, ip: null });
    const proto = mapped("odd.proto", JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
    expect(Object.hasOwn(proto.metadata!, "__proto__")).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
