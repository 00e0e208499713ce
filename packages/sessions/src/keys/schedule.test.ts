import { describe, expect, it } from "vitest";
import {
  activationOfNewKey,
  byActivation,
  rotationDueAt,
  type Schedule,
  type SigningKeyRecord,
  signingOrder,
  viewAt,
} from "./schedule.js";

const HOUR = 3_600_000;
const schedule: Schedule = { rotateEveryMs: 24 * HOUR, publishAheadMs: HOUR, retainMs: 2 * HOUR };

function key(generation: number, activatesAt: number): SigningKeyRecord {
  return {
    id: `id${generation}`,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    kid: `k${generation}`,
    generation,
    alg: "ES256",
    publicJwk: {},
    privateKey: "sealed",
    activatesAt,
    retiredAt: null,
  };
}

const ring = (...keys: SigningKeyRecord[]) => [...keys].sort(byActivation);

describe("viewAt", () => {
  it("makes the latest activated key active, earlier ones retired at their successor's activation, later ones next", () => {
    const view = viewAt(ring(key(1, 0), key(2, 10), key(3, 20)), 15);
    expect(view.keys.map((k) => [k.record.kid, k.state, k.retiredAt])).toEqual([
      ["k1", "retired", 10],
      ["k2", "active", null],
      ["k3", "next", null],
    ]);
    expect(view.active?.record.kid).toBe("k2");
  });

  it("activates a key at exactly its activatesAt, and breaks ties by generation", () => {
    expect(viewAt(ring(key(1, 0), key(2, 10)), 10).active?.record.kid).toBe("k2");
    expect(viewAt(ring(key(2, 10), key(1, 10)), 10).active?.record.kid).toBe("k2");
  });

  it("has no active key when every key is still next", () => {
    const view = viewAt(ring(key(1, 10)), 5);
    expect(view.active).toBeUndefined();
    expect(signingOrder(view, 5, 0).map((k) => k.record.kid)).toEqual(["k1"]);
  });
});

describe("rotationDueAt", () => {
  it("is due at once for an empty ring", () => {
    expect(rotationDueAt(viewAt([], 0), schedule)).toBe(Number.NEGATIVE_INFINITY);
  });

  it("is due publishAhead before the active key's term ends", () => {
    expect(rotationDueAt(viewAt([key(1, 100)], 100), schedule)).toBe(100 + 23 * HOUR);
  });

  it("is never due while a next key waits", () => {
    const view = viewAt(ring(key(1, 0), key(2, 24 * HOUR)), 23 * HOUR);
    expect(rotationDueAt(view, schedule)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("activationOfNewKey", () => {
  it("activates the first key at once", () => {
    expect(activationOfNewKey(viewAt([], 5), 5, schedule, false)).toBe(5);
    expect(activationOfNewKey(viewAt([], 5), 5, schedule, true)).toBe(5);
  });

  it("activates a scheduled key when the active key's term ends", () => {
    const now = 23 * HOUR;
    expect(activationOfNewKey(viewAt([key(1, 0)], now), now, schedule, false)).toBe(24 * HOUR);
  });

  it("still publishes a late scheduled key publishAhead before it signs", () => {
    const now = 30 * HOUR; // nobody used the ring for a while
    expect(activationOfNewKey(viewAt([key(1, 0)], now), now, schedule, false)).toBe(31 * HOUR);
  });

  it("activates a forced key publishAhead from now", () => {
    expect(activationOfNewKey(viewAt([key(1, 0)], HOUR), HOUR, schedule, true)).toBe(2 * HOUR);
  });
});

describe("signingOrder", () => {
  it("tries the active key, then retired keys still published, newest first", () => {
    const keys = ring(key(1, 0), key(2, HOUR), key(3, 4 * HOUR), key(4, 5 * HOUR));
    const order = signingOrder(viewAt(keys, 5 * HOUR), 5 * HOUR, schedule.retainMs);
    // k1 retired at 1h, more than retainMs (2h) ago: no longer published, so never used.
    expect(order.map((k) => k.record.kid)).toEqual(["k4", "k3", "k2"]);
  });
});
