import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isGatehouseError } from "../errors.js";
import { decodeBase64url } from "./base64url.js";

function codeOf(segment: string): string | undefined {
  try {
    decodeBase64url(segment, "token payload");
  } catch (err) {
    if (isGatehouseError(err)) return err.code;
    throw err;
  }
  return undefined;
}

describe("decodeBase64url", () => {
  it("decodes RFC 7515 examples", () => {
    // RFC 7515 §3.3 header and Appendix C bytes.
    expect(decodeBase64url("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9", "h").toString()).toBe(
      '{"typ":"JWT",\r\n "alg":"HS256"}',
    );
    expect([...decodeBase64url("A-z_4ME", "s")]).toEqual([3, 236, 255, 224, 193]);
    expect(decodeBase64url("", "s")).toHaveLength(0);
  });

  it.each([
    ["padding", "YQ=="],
    ["partial padding", "YWI="],
    ["'+' of standard base64", "-_+A"],
    ["'/' of standard base64", "-_/A"],
    ["a space", "YW Jj"],
    ["a newline", "YWJj\nZGVm"],
    ["a trailing newline", "YWJj\n"],
    ["a stray character", "YWJj!"],
    ["a dot", "YW.J"],
    ["set trailing bits (2 chars)", "YR"],
    ["set trailing bits (3 chars)", "YWJ"],
    ["length % 4 == 1", "YWJjZ"],
    ["a single character", "Y"],
    ["non-ASCII", "YWJjé"],
  ])("refuses %s with token_base64_invalid", (_name, segment) => {
    expect(codeOf(segment)).toBe("token_base64_invalid");
  });

  it("round-trips random bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const segment = Buffer.from(bytes).toString("base64url");
        expect([...decodeBase64url(segment, "s")]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
  });

  it("accepts exactly one spelling per byte string (property)", () => {
    const alphabet = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const segment = chars.join("");
        const code = codeOf(segment);
        if (code === undefined) {
          // Whatever is accepted is the canonical spelling of the bytes it decodes to.
          expect(decodeBase64url(segment, "s").toString("base64url")).toBe(segment);
          expect(segment).toMatch(/^[A-Za-z0-9_-]*$/);
          expect(segment.length % 4).not.toBe(1);
        } else {
          expect(code).toBe("token_base64_invalid");
        }
      }),
      { numRuns: 500 },
    );
  });

  it("refuses every string whose length is 1 mod 4 (property)", () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: fc.constantFrom(..."AQgw-_Zz09"), minLength: 1, maxLength: 61 })
          .filter((s) => s.length % 4 === 1),
        (segment) => {
          expect(codeOf(segment)).toBe("token_base64_invalid");
        },
      ),
    );
  });
});
