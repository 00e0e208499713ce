import { describe, expect, it } from "vitest";
import { uuidv7, uuidv7Time } from "./ids.js";

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuidv7", () => {
  // First: ids never go back in time within a process, so this must run before later timestamps.
  it("encodes the RFC 9562 Appendix A.6 timestamp as its test vector does", () => {
    // Test vector 017f22e2-79b0-7cc3-98c4-dc0c0c07398f: unix_ts_ms 0x017F22E279B0 (2022-02-22 19:22:22 UTC).
    const id = uuidv7(0x017f22e279b0);
    expect(id.slice(0, 15)).toBe("017f22e2-79b0-7");
    expect(uuidv7Time("017f22e2-79b0-7cc3-98c4-dc0c0c07398f")).toBe(0x017f22e279b0);
  });

  it("has the RFC 9562 layout: version 7, variant 10, lower-case hex", () => {
    for (let i = 0; i < 1000; i++) expect(uuidv7(Date.now())).toMatch(FORMAT);
  });

  it("carries the millisecond in its first 48 bits", () => {
    const ms = Date.UTC(2030, 5, 1, 12, 0, 0, 123);
    const id = uuidv7(ms);
    expect(uuidv7Time(id)).toBe(ms);
    expect(id.slice(0, 13)).toBe(
      `${ms.toString(16).padStart(12, "0").slice(0, 8)}-${ms.toString(16).slice(-4)}`,
    );
  });

  it("stays strictly increasing within one millisecond (a burst of 100,000)", () => {
    const ms = Date.UTC(2031, 0, 1);
    const ids = Array.from({ length: 100_000 }, () => uuidv7(ms));
    for (let i = 1; i < ids.length; i++) {
      if (!(ids[i - 1]! < ids[i]!)) throw new Error(`not increasing at ${i}`);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("never goes backwards when the clock does", () => {
    const a = uuidv7(Date.UTC(2032, 0, 1));
    const b = uuidv7(Date.UTC(2020, 0, 1));
    expect(b > a).toBe(true);
    expect(uuidv7Time(b)).toBeGreaterThanOrEqual(uuidv7Time(a));
  });

  it("sorts by time across milliseconds", () => {
    const start = Date.UTC(2033, 0, 1);
    const ids = Array.from({ length: 50 }, (_, i) => uuidv7(start + i * 7));
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map(uuidv7Time)).toEqual(ids.map((_, i) => start + i * 7));
  });
});
