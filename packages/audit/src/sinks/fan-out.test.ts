import { describe, expect, it } from "vitest";
import { makeEvents, testSink } from "../log/test-helpers.js";
import { fanOutSink } from "./fan-out.js";

describe("fanOutSink", () => {
  it("writes every batch to all its sinks and takes head() from the first that has one", async () => {
    const a = testSink("a", false);
    const b = testSink("b");
    const sink = fanOutSink([a, b]);
    expect(sink.name).toBe("fan-out(a,b)");
    const events = makeEvents(4, "s");
    await sink.write(events);
    expect(a.order).toEqual(events.map((e) => e.id));
    expect(b.order).toEqual(events.map((e) => e.id));
    expect(await sink.head!("s")).toEqual({ seq: 4, hash: events[3]!.hash });
  });

  it("has no head() when none of its sinks has one", () => {
    expect(fanOutSink([testSink("a", false)]).head).toBeUndefined();
  });

  it("rejects with every failure when any sink fails, after trying them all", async () => {
    const a = testSink("a");
    const b = testSink("b");
    b.down = true;
    const failing = fanOutSink([a, b]);
    await expect(failing.write(makeEvents(2))).rejects.toMatchObject({
      name: "AggregateError",
      errors: [expect.objectContaining({ message: "b is down" })],
    });
    expect(a.events.size).toBe(2);
  });

  it("closes every sink, even when one close fails", async () => {
    const closed: string[] = [];
    const a = testSink("a");
    a.close = async () => {
      throw new Error("close failed");
    };
    const b = testSink("b");
    b.close = async () => void closed.push("b");
    await fanOutSink([a, b]).close!();
    expect(closed).toEqual(["b"]);
  });
});
