import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { createEventBus, type EventEnvelope } from "./events.js";

declare module "./events.js" {
  interface GatehouseEvents {
    "test.happened": { n: number };
    "test.other": { s: string };
  }
}

describe("createEventBus", () => {
  it("delivers to the event's listeners, then to '*', with id, time and frozen envelope", () => {
    const clock = createFakeClock();
    const bus = createEventBus({ clock });
    const seen: string[] = [];
    bus.on("*", (e) => {
      seen.push(`*:${e.type}`);
    });
    bus.on("test.happened", (e) => {
      seen.push(`happened:${e.data.n}`);
    });
    const event = bus.emit("test.happened", { n: 1 });
    bus.emit("test.other", { s: "x" });
    expect(seen).toEqual(["happened:1", "*:test.happened", "*:test.other"]);
    expect(event.at).toBe(clock.now());
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.isFrozen(event)).toBe(true);
  });

  it("isolates failing listeners, sync and async, from the emitter and from each other", async () => {
    const errors: unknown[] = [];
    const bus = createEventBus({ onListenerError: (error) => errors.push(error) });
    const delivered: number[] = [];
    bus.on("test.happened", () => {
      throw new Error("sync boom");
    });
    bus.on("test.happened", async () => {
      throw new Error("async boom");
    });
    bus.on("test.happened", (e) => {
      delivered.push(e.data.n);
    });
    expect(() => bus.emit("test.happened", { n: 7 })).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(delivered).toEqual([7]);
    expect(errors.map((e) => (e as Error).message)).toEqual(["sync boom", "async boom"]);
  });

  it("unsubscribes, also during a delivery without disturbing it", () => {
    const bus = createEventBus();
    const seen: EventEnvelope[] = [];
    const off = bus.on("test.happened", (e) => {
      seen.push(e);
      off();
    });
    bus.on("test.happened", (e) => {
      seen.push(e);
    });
    bus.emit("test.happened", { n: 1 });
    bus.emit("test.happened", { n: 2 });
    expect(seen.map((e) => (e.data as { n: number }).n)).toEqual([1, 1, 2]);
  });
});
