import { describe, expect, it } from "vitest";
import { createFakeClock, FAKE_CLOCK_START_MS, nowSec } from "./clock.js";

describe("createFakeClock", () => {
  it("starts at 2026-01-01T00:00:00Z by default", () => {
    const clock = createFakeClock();
    expect(FAKE_CLOCK_START_MS).toBe(Date.parse("2026-01-01T00:00:00Z"));
    expect(clock.now()).toBe(FAKE_CLOCK_START_MS);
    expect(nowSec(clock)).toBe(1_767_225_600);
  });

  it("does not move on its own", async () => {
    const clock = createFakeClock(1_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.now()).toBe(1_000);
  });

  it("advances and sets, backwards only through set()", () => {
    const clock = createFakeClock(10_000);
    clock.advance(1_500);
    expect(clock.now()).toBe(11_500);
    clock.set(2_000);
    expect(clock.now()).toBe(2_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(TypeError);
    expect(() => clock.set(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => createFakeClock(Number.NaN)).toThrow(TypeError);
    expect(clock.now()).toBe(2_000);
  });
});

describe("nowSec", () => {
  it("rounds down to whole seconds", () => {
    expect(nowSec(createFakeClock(1_999))).toBe(1);
    expect(nowSec({ now: () => 59_999 })).toBe(59);
  });

  it("reads the system clock by default", () => {
    const before = Math.floor(Date.now() / 1000);
    const value = nowSec();
    expect(value).toBeGreaterThanOrEqual(before);
    expect(value).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});
