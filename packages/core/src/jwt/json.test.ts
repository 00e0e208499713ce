import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isGatehouseError } from "../errors.js";
import { countMemberNames, parseJsonObject } from "./json.js";

const parse = (text: string | Buffer) =>
  parseJsonObject(typeof text === "string" ? Buffer.from(text, "utf8") : text, "token payload");

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isGatehouseError(err)) return err.code;
    throw err;
  }
  return undefined;
}

const dup = (text: string) => codeOf(() => parse(text)) === "token_json_duplicate_key";
const escaped = (text: string) => codeOf(() => parse(text)) === "token_json_escaped_name";

describe("duplicate and escaped member names", () => {
  it("finds a repeated member at the top level", () => {
    expect(dup('{"sub":"a","sub":"b"}')).toBe(true);
    expect(dup('{"sub":"a","sub":"a"}')).toBe(true);
    expect(dup('{"sub":"a","sid":"b"}')).toBe(false);
    expect(dup("{}")).toBe(false);
  });

  it("finds a repeated member in a nested object, and in objects inside arrays", () => {
    expect(dup('{"o":{"id":"org_1","id":"org_2"}}')).toBe(true);
    expect(dup('{"a":[1,{"x":1},{"y":1,"y":2}]}')).toBe(true);
    expect(dup('{"a":[[{"k":1,"k":1}]]}')).toBe(true);
    // The same name in sibling objects is not a duplicate.
    expect(dup('{"a":{"id":1},"b":{"id":2},"c":[{"id":3},{"id":4}]}')).toBe(false);
    expect(dup('{"id":{"id":{"id":1}}}')).toBe(false);
  });

  it("refuses member names spelled with escapes, duplicates or not", () => {
    expect(escaped('{"sub":"a","\\u0073ub":"b"}')).toBe(true);
    expect(escaped('{"\\u0073\\u0075\\u0062":"a","sub":"b"}')).toBe(true);
    expect(escaped('{"\\u0073ub":"a","sid":"b"}')).toBe(true);
    expect(escaped('{"o":{"r\\u006fl":"admin"}}')).toBe(true);
    expect(escaped('{"a\\\\":1}')).toBe(true);
    // Escapes in values are fine.
    expect(codeOf(() => parse('{"sub":"\\u0075ser","n":"a\\"b"}'))).toBeUndefined();
  });

  it("regression: Node 24.21 JSON.parse reads a one-escape name after \\u005c as a backslash", () => {
    // V8's key cache returned "\\" for "\\u0062" once "\\u005c" had been parsed; the
    // token would have been read with a claim name its issuer never wrote.
    expect(escaped('{"\\u005c":1}')).toBe(true);
    expect(escaped('{"\\u0062":"admin","b":"user"}')).toBe(true);
  });

  it("is not fooled by quotes, colons and backslashes inside strings", () => {
    expect(dup('{"a":"x\\":","b":"\\\\"}')).toBe(false);
    expect(dup('{"a":"\\"b\\":1","b":2}')).toBe(false);
    expect(dup('{"a":"\\"b\\":1","b":2,"b":3}')).toBe(true);
    expect(dup('{"k":["a:","b\\\\",":"]}')).toBe(false);
    expect(dup('{"k":"\\\\\\"x\\":"}')).toBe(false);
  });

  it("handles whitespace between a name and its colon", () => {
    expect(dup('{"a" \t\r\n: 1, "a"\n:2}')).toBe(true);
    expect(dup('{ "a" : "b" , "c" : "d" }')).toBe(false);
  });

  it("counts __proto__ as an ordinary member", () => {
    expect(dup('{"__proto__":1,"__proto__":2}')).toBe(true);
    expect(dup('{"__proto__":{"x":1},"x":2}')).toBe(false);
  });

  // Reference: a JSON tree whose objects are lists of entries, so duplicates are explicit.
  type Tree = string | number | boolean | null | Tree[] | { entries: [string, Tree][] };
  const names = fc.constantFrom("a", "b", "sub", "__proto__", 'q"', "c:", "\\", "é", "💥", "");
  const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), names),
      fc.array(tie("tree"), { maxLength: 4 }),
      fc.record({ entries: fc.array(fc.tuple(names, tie("tree")), { maxLength: 5 }) }),
    ),
  }));
  const topObject = fc.record({ entries: fc.array(fc.tuple(names, tree), { maxLength: 5 }) });

  /** Spells every UTF-16 code unit of `s` as a \\uXXXX escape. */
  const escapeAll = (s: string) => {
    let out = '"';
    for (let i = 0; i < s.length; i++) out += `\\u${s.charCodeAt(i).toString(16).padStart(4, "0")}`;
    return `${out}"`;
  };

  function serialise(t: Tree, escapeAt: (i: number) => boolean, counter = { i: 0 }): string {
    if (Array.isArray(t)) return `[${t.map((x) => serialise(x, escapeAt, counter)).join(", ")}]`;
    if (t !== null && typeof t === "object") {
      const members = t.entries.map(([k, v]) => {
        const name = escapeAt(counter.i++) ? escapeAll(k) : JSON.stringify(k);
        return `${name} :${serialise(v, escapeAt, counter)}`;
      });
      return `{${members.join(",")}}`;
    }
    return JSON.stringify(t);
  }

  function referenceHasDuplicates(t: Tree): boolean {
    if (Array.isArray(t)) return t.some(referenceHasDuplicates);
    if (t !== null && typeof t === "object") {
      const seen = new Set(t.entries.map(([k]) => k));
      return seen.size !== t.entries.length || t.entries.some(([, v]) => referenceHasDuplicates(v));
    }
    return false;
  }

  /** Whether any member name of `t` is written with an escape sequence in `text`. */
  function anyEscapedName(t: Tree, escapeAt: (i: number) => boolean, counter = { i: 0 }): boolean {
    if (Array.isArray(t)) return t.some((x) => anyEscapedName(x, escapeAt, counter));
    if (t !== null && typeof t === "object") {
      let found = false;
      for (const [k, v] of t.entries) {
        const name = escapeAt(counter.i++) ? escapeAll(k) : JSON.stringify(k);
        if (name.includes("\\")) found = true;
        if (anyEscapedName(v, escapeAt, counter)) found = true;
      }
      return found;
    }
    return false;
  }

  it("agrees with a reference implementation on random JSON (property)", () => {
    fc.assert(
      fc.property(topObject, fc.func(fc.boolean()), (t, escapeFn) => {
        const text = serialise(t, (i) => escapeFn(i));
        const expected = anyEscapedName(t, (i) => escapeFn(i))
          ? "token_json_escaped_name"
          : referenceHasDuplicates(t)
            ? "token_json_duplicate_key"
            : undefined;
        expect(codeOf(() => parse(text))).toBe(expected);
        if (expected !== "token_json_escaped_name") {
          expect(countMemberNames(text)).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseJsonObject", () => {
  it("returns the parsed object of valid UTF-8 JSON", () => {
    expect(parse('{"sub":"user_1","n":[1,2],"name":"Zoë 💥"}')).toEqual({
      sub: "user_1",
      n: [1, 2],
      name: "Zoë 💥",
    });
  });

  it("refuses duplicate members with token_json_duplicate_key", () => {
    expect(codeOf(() => parse('{"sub":"a","sub":"b"}'))).toBe("token_json_duplicate_key");
    expect(codeOf(() => parse('{"o":{"rol":"a","rol":"b"}}'))).toBe("token_json_duplicate_key");
    expect(codeOf(() => parse('{"sub":"a","\\u0073ub":"admin"}'))).toBe("token_json_escaped_name");
  });

  it("refuses a byte-order mark", () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    expect(codeOf(() => parse(bom))).toBe("token_json_bom");
  });

  it.each([
    ["a lone continuation byte", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]],
    ["an overlong encoding of '/'", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]],
    [
      "a UTF-8 encoded surrogate",
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d],
    ],
    ["a truncated sequence", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d]],
  ])("refuses invalid UTF-8: %s", (_name, bytes) => {
    expect(codeOf(() => parse(Buffer.from(bytes)))).toBe("token_utf8_invalid");
  });

  it.each(["[]", '[{"a":1}]', '"sub"', "42", "null", "true"])(
    "refuses the non-object %s",
    (text) => {
      expect(codeOf(() => parse(text))).toBe("token_not_object");
    },
  );

  it.each(["", "{", '{"a":1,}', "{'a':1}", '{"a":1} {"b":2}', "{a:1}", '{"a":01}', "NaN"])(
    "refuses invalid JSON %j",
    (text) => {
      expect(codeOf(() => parse(text))).toBe("token_json_invalid");
    },
  );

  it("names the segment in the message", () => {
    try {
      parseJsonObject(Buffer.from("[]"), "token header");
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain("token header");
    }
  });
});
