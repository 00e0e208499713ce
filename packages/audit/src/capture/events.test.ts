import type { EventEnvelope } from "@gatehouse/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { captureEvents } from "../capture.js";
import type { AuditEventInput } from "../event.js";
import { memoryLog, testBus } from "./test-helpers.js";

declare module "@gatehouse/core" {
  interface GatehouseEvents {
    "audit_test.invoice_paid": { invoiceId: string; orgId: string; amount: number };
  }
}

describe("captureEvents", () => {
  it("records every event once, in order, and stops after unsubscribe", () => {
    const { bus, emit } = testBus();
    const log = memoryLog();
    const stop = captureEvents(bus, log);
    emit("session.created", { sessionId: "s1", userId: "u1" });
    bus.emit("audit_test.invoice_paid", { invoiceId: "inv_1", orgId: "org_1", amount: 5 });
    stop();
    emit("session.created", { sessionId: "s2", userId: "u1" });
    expect(log.events.map((e) => e.action)).toEqual(["session.created", "audit_test.invoice_paid"]);
    expect(log.events[1]).toMatchObject({ orgId: "org_1", metadata: { invoiceId: "inv_1" } });
  });

  it("gives each event the bus event's id, for correlation with outbound webhooks", () => {
    const { bus } = testBus();
    const log = memoryLog();
    captureEvents(bus, log);
    const sent = bus.emit("audit_test.invoice_paid", { invoiceId: "i", orgId: "o", amount: 1 });
    expect(log.events[0]!.metadata).toMatchObject({ eventId: sent.id });
  });

  it("lets `map` replace the mapping of a type, with typed events and the defaults at hand", () => {
    const { bus, emit } = testBus();
    const log = memoryLog();
    captureEvents(bus, log, {
      map: {
        "audit_test.invoice_paid": (event, defaults) => {
          expectTypeOf(event).toEqualTypeOf<EventEnvelope<"audit_test.invoice_paid">>();
          expectTypeOf(defaults).toEqualTypeOf<AuditEventInput>();
          return {
            ...defaults,
            action: "billing.invoice.paid",
            target: { type: "invoice", id: event.data.invoiceId },
          };
        },
      },
    });
    bus.emit("audit_test.invoice_paid", { invoiceId: "inv_9", orgId: "org_1", amount: 5 });
    emit("session.created", { sessionId: "s", userId: "u" });
    expect(log.events.map((e) => e.action)).toEqual(["billing.invoice.paid", "session.created"]);
    expect(log.events[0]).toMatchObject({
      target: { type: "invoice", id: "inv_9" },
      orgId: "org_1",
    });
  });

  it("skips a type whose mapper returns null", () => {
    const { bus, emit } = testBus();
    const log = memoryLog();
    captureEvents(bus, log, { map: { "audit_test.invoice_paid": () => null } });
    bus.emit("audit_test.invoice_paid", { invoiceId: "i", orgId: "o", amount: 1 });
    emit("authz.denied", { userId: "u", rule: "r" });
    expect(log.events.map((e) => e.action)).toEqual(["authz.denied"]);
  });

  it("records only the listed types and namespaces when `types` is given", () => {
    const { bus, emit } = testBus();
    const log = memoryLog();
    captureEvents(bus, log, { types: ["session.*", "authz.denied"] });
    emit("session.created", { sessionId: "s", userId: "u" });
    emit("sessionx.created", {});
    emit("authz.denied", { userId: "u" });
    emit("authz.denied.more", {});
    emit("webhook.received", { messageId: "m" });
    expect(log.events.map((e) => e.action)).toEqual(["session.created", "authz.denied"]);
  });

  it("never lets a failing log or mapper reach the emitter; the bus reports it", () => {
    const { bus, emit, errors } = testBus();
    captureEvents(bus, {
      record() {
        throw new Error("down");
      },
    });
    const log = memoryLog();
    captureEvents(bus, log, {
      map: {
        "audit_test.invoice_paid": () => {
          throw new Error("bad mapper");
        },
      },
    });
    expect(() => emit("session.created", { sessionId: "s", userId: "u" })).not.toThrow();
    bus.emit("audit_test.invoice_paid", { invoiceId: "i", orgId: "o", amount: 1 });
    expect(errors.map((e) => (e as Error).message)).toEqual(["down", "down", "bad mapper"]);
    expect(log.events).toHaveLength(1);
  });

  it("refuses bad arguments at start-up with config_invalid naming the option", () => {
    const { bus } = testBus();
    const log = memoryLog();
    const bad = (fn: () => unknown, text: RegExp) =>
      expect(fn).toThrowError(
        expect.objectContaining({ code: "config_invalid", message: expect.stringMatching(text) }),
      );
    bad(() => captureEvents({} as never, log), /bus/);
    bad(() => captureEvents(bus, null as never), /log/);
    bad(() => captureEvents(bus, log, { typo: 1 } as never), /typo|options/);
    bad(() => captureEvents(bus, log, { types: ["sess*ion"] }), /types/);
    bad(() => captureEvents(bus, log, { types: "session.*" as never }), /types/);
    bad(() => captureEvents(bus, log, { map: { x: "nope" } as never }), /map/);
  });
});
