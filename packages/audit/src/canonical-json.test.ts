import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";

/** A deep copy of `value` with every object's keys inserted in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) {
    Object.defineProperty(out, key, {
      value: reversed((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
    });
  }
  return out;
}

describe("canonicalJson (RFC 8785)", () => {
  it("sorts keys by UTF-16 code units, integer-like keys included (RFC 8785 §3.2.3)", () => {
    const text = canonicalJson({
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    });
    expect(Object.values(JSON.parse(text) as object)).toHaveLength(7);
    expect(text).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("writes numbers and nesting as ECMAScript does, without whitespace", () => {
    expect(canonicalJson({ b: [1e21, 0.1, -0, 1e-7], a: { d: null, c: true } })).toBe(
      '{"a":{"c":true,"d":null},"b":[1e+21,0.1,0,1e-7]}',
    );
    expect(canonicalJson("x\u0000y")).toBe('"x\\u0000y"');
    const own = JSON.parse('{"z":1,"__proto__":null}') as Record<string, unknown>;
    own.k = undefined;
    expect(canonicalJson(own as never)).toBe('{"__proto__":null,"z":1}');
  });

  it("does not depend on key order, and parses back to the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value as never);
        expect(canonicalJson(reversed(value) as never)).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
