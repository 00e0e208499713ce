import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";
import { createMetadataCleaner, createRedactor, REDACTED, TRUNCATED } from "./redact.js";

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe("createRedactor: plain JSON copy", () => {
  const clean = createRedactor();

  it("drops functions, symbols and undefined; converts Date, BigInt, Map, Set, Error", () => {
    const out = clean({
      fn: () => 1,
      sym: Symbol("x"),
      missing: undefined,
      at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      bad: new Date(Number.NaN),
      big: 12345678901234567890n,
      nan: Number.NaN,
      map: new Map<unknown, unknown>([
        ["a", 1],
        [2, "b"],
      ]),
      set: new Set([1, 2]),
      err: new TypeError("boom"),
      list: [undefined, () => 1, 3],
    });
    expect(out).toEqual({
      at: "2026-01-02T03:04:05.000Z",
      bad: null,
      big: "12345678901234567890",
      nan: null,
      map: { a: 1, "2": "b" },
      set: [1, 2],
      err: { name: "TypeError", message: "boom" },
      list: [null, null, 3],
    });
  });

  it('replaces cycles by "[circular]" but keeps shared (non-cyclic) references', () => {
    const shared = { x: 1 };
    const a: Record<string, unknown> = { shared, again: shared };
    a.self = a;
    expect(clean(a)).toEqual({ shared: { x: 1 }, again: { x: 1 }, self: "[circular]" });
  });

  it("makes a copy: later changes to the input do not show", () => {
    const input = { nested: { n: 1 } };
    const out = clean(input) as { nested: { n: number } };
    input.nested.n = 2;
    expect(out.nested.n).toBe(1);
  });

  it("replaces NUL and lone surrogates (no SQL store can hold them), in keys too", () => {
    expect(clean({ "a\0": "x\0y", b: "\uD800z", ok: "😀" })).toEqual({
      "a\uFFFD": "x\uFFFDy",
      b: "\uFFFDz",
      ok: "😀",
    });
  });

  it("keeps a __proto__ key as data, never as the prototype", () => {
    const out = clean(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps the event when a getter throws: "[unreadable]"', () => {
    const hostile = {
      get boom() {
        throw new Error("no");
      },
    };
    expect(clean(hostile)).toBe("[unreadable]");
  });

  it("returns null for null and undefined", () => {
    expect(clean(undefined)).toBeNull();
    expect(clean(null)).toBeNull();
  });
});

describe("createRedactor: redaction", () => {
  it("redacts the default keys, whatever their case, _ or -", () => {
    const clean = createRedactor();
    const input = {
      password: "p",
      Secret: "s",
      TOKEN: "t",
      authorization: "Bearer x",
      cookie: "c",
      apiKey: "k1",
      api_key: "k2",
      "API-KEY": "k3",
      refreshToken: "r",
      access_token: "a",
      code: "123456",
      OTP: "1",
      privateKey: { kty: "EC", d: "x" },
      // suffixes of long entries
      newPassword: "n",
      idToken: "i",
      "x-api-key": "k4",
      "set-cookie": ["a=b"],
      clientSecret: "cs",
      // not redacted: short entries match whole keys only
      errorCode: "E42",
      postcode: "75001",
      email: "a@example.com",
    };
    expect(clean(input)).toEqual({
      ...Object.fromEntries(Object.keys(input).map((k) => [k, REDACTED])),
      errorCode: "E42",
      postcode: "75001",
      email: "a@example.com",
    });
  });

  it("redacts nested keys and the app's own keys", () => {
    const clean = createRedactor({ keys: ["ssn", "dateOfBirth"] });
    expect(
      clean({
        user: { ssn: "078-05-1120", date_of_birth: "1970", name: "A" },
        list: [{ token: 1 }],
      }),
    ).toEqual({
      user: { ssn: REDACTED, date_of_birth: REDACTED, name: "A" },
      list: [{ token: REDACTED }],
    });
  });

  it("never lets a redacted value through, whatever the nesting (property)", () => {
    const clean = createRedactor();
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ minLength: 1 }), (value, secret) => {
        const out = JSON.stringify(clean({ wrap: { password: secret, value } }));
        expect(out).toContain(`"password":"${REDACTED}"`);
      }),
    );
  });
});

describe("createRedactor: limits", () => {
  it('cuts deep nesting with "[truncated]"', () => {
    const clean = createRedactor({ maxDepth: 3 });
    expect(clean({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: TRUNCATED } } });
  });

  it("keeps metadata within maxBytes, marked, keeping the small fields that fit", () => {
    const clean = createRedactor({ maxBytes: 200 });
    const out = clean({ reason: "rate_limited", blob: "x".repeat(10_000), after: 1 }) as Record<
      string,
      unknown
    >;
    expect(size(out)).toBeLessThanOrEqual(200);
    expect(out.reason).toBe("rate_limited");
    expect(out.after).toBe(1);
    expect(out.blob).toMatch(/^x+…\[truncated\]$/);
    expect(out[TRUNCATED]).toBe(true);
  });

  it("cuts long arrays and strings with a marker", () => {
    const clean = createRedactor({ maxBytes: 100 });
    const list = clean(Array.from({ length: 1000 }, (_, i) => i)) as unknown[];
    expect(size(list)).toBeLessThanOrEqual(100);
    expect(list.at(-1)).toBe(TRUNCATED);
    const text = clean("é".repeat(1000)) as string;
    expect(size(text)).toBeLessThanOrEqual(100);
    expect(text.endsWith(`…${TRUNCATED}`)).toBe(true);
  });

  it("never splits a surrogate pair when cutting", () => {
    const clean = createRedactor({ maxBytes: 64 });
    const text = clean("😀".repeat(100)) as string;
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it("stays within maxBytes for any JSON input (property)", () => {
    const clean = createRedactor({ maxBytes: 256 });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(size(clean({ value }))).toBeLessThanOrEqual(256);
      }),
    );
  });
});

describe("createMetadataCleaner: the canonical text the digest covers", () => {
  const clean = createMetadataCleaner({ keys: ["ssn"] });

  it("gives the RFC 8785 text of the value it returns, whatever the key order", () => {
    // Lone surrogates become U+FFFD, which sorts after "\ufff0": keys must be sorted once cleaned.
    const key = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.string({ maxLength: 3, unit: "binary" }),
      fc.nat(30).map(String),
      fc.constantFrom("ssn", "\ud800", "\ufff0", "a\udc00", "\uffff"),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(key, tie("node"), { maxKeys: 6 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        const { value: cleaned, text } = clean(value);
        expect(text).toBe(canonicalJson(cleaned));
        expect(JSON.parse(text)).toEqual(cleaned);
      }),
      { numRuns: 400 },
    );
  });

  it("sorts integer-like keys as strings, from objects and Maps alike", () => {
    expect(clean({ b: 1, 10: "x", 9: "y", a: { ssn: "078-05-1120" } }).text).toBe(
      '{"10":"x","9":"y","a":{"ssn":"[redacted]"},"b":1}',
    );
    expect(
      clean(
        new Map<unknown, unknown>([
          [2, "two"],
          ["1", "one"],
        ]),
      ).text,
    ).toBe('{"1":"one","2":"two"}');
    expect(clean(undefined)).toEqual({ value: null, text: "null" });
    expect(clean({ "\ud800": 1, "\ufff0": 2 }).text).toBe('{"\ufff0":2,"\ufffd":1}');
    expect(clean({ z: -0 })).toEqual({ value: { z: 0 }, text: '{"z":0}' });
  });
});
