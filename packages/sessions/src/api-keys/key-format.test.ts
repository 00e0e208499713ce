import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHECKSUM_LENGTH,
  checksum,
  displayPrefixOf,
  generateApiKey,
  LOOKUP_LENGTH,
  parseApiKey,
  randomBase62,
  SECRET_LENGTH,
  toBase62,
} from "./key-format.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

describe("checksum", () => {
  it("is CRC32 (check value 0xCBF43926 for '123456789', per the CRC catalogue), base62, six characters", () => {
    expect(toBase62(0xcbf43926)).toBe("3jZRME");
    expect(checksum("123456789")).toBe("3jZRME");
  });

  it("encodes the edges of the 32-bit range at fixed length", () => {
    expect(toBase62(0)).toBe("000000");
    expect(toBase62(61)).toBe("00000z");
    expect(toBase62(62)).toBe("000010");
    expect(toBase62(0xffffffff)).toBe("4gfFC3");
  });
});

describe("randomBase62", () => {
  it("draws from the whole alphabet and nothing else", () => {
    const sample = randomBase62(20_000);
    expect(sample).toHaveLength(20_000);
    expect(new Set(sample)).toEqual(new Set(BASE62));
  });
});

describe("generateApiKey", () => {
  it("makes a fixed-length base62 key with the kind's prefix", () => {
    const { key, lookupId } = generateApiKey("gh", "secret");
    expect(key).toMatch(/^gh_sk_[0-9A-Za-z]{61}$/);
    expect(key).toHaveLength(6 + LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH);
    expect(key.slice(6, 6 + LOOKUP_LENGTH)).toBe(lookupId);
    expect(generateApiKey("gh", "publishable").key).toMatch(/^gh_pk_/);
    expect(generateApiKey("acme", "secret").key).toMatch(/^acme_sk_[0-9A-Za-z]{61}$/);
  });

  it("never repeats a key or a lookup id", () => {
    const keys = Array.from({ length: 1000 }, () => generateApiKey("gh", "secret"));
    expect(new Set(keys.map((k) => k.key)).size).toBe(1000);
    expect(new Set(keys.map((k) => k.lookupId)).size).toBe(1000);
  });

  it("shows only the prefix and four lookup-id characters", () => {
    const { key } = generateApiKey("gh", "secret");
    expect(displayPrefixOf("gh", key)).toBe(`${key.slice(0, 10)}…`);
  });
});

describe("parseApiKey", () => {
  it("reads back the kind and lookup id of generated keys", () => {
    for (const kind of ["secret", "publishable"] as const) {
      const { key, lookupId } = generateApiKey("gh", kind);
      expect(parseApiKey("gh", key)).toEqual({ kind, lookupId });
    }
  });

  it("refuses truncated, extended, re-prefixed and non-string keys", () => {
    const { key } = generateApiKey("gh", "secret");
    for (const bad of [
      "",
      "gh_sk_",
      key.slice(0, -1),
      `${key}A`,
      `${key} `,
      ` ${key}`,
      key.replace("gh_sk_", "gh_xk_"),
      key.replace("gh_sk_", "GH_SK_"),
      key.replace("gh_", "xx_"),
      `${key.slice(0, 20)}-${key.slice(21)}`,
      `${key.slice(0, 20)}é${key.slice(21)}`,
      key.toLowerCase(),
    ]) {
      expect(parseApiKey("gh", bad), bad).toBeUndefined();
    }
    for (const bad of [undefined, null, 42, {}, [key]])
      expect(parseApiKey("gh", bad)).toBeUndefined();
    expect(parseApiKey("acme", key)).toBeUndefined();
  });

  it("refuses every single-character typo (CRC32 catches every one)", () => {
    const { key } = generateApiKey("gh", "secret");
    fc.assert(
      fc.property(
        fc.nat({ max: key.length - 1 }),
        fc.constantFrom(...BASE62, "_", "-"),
        (at, c) => {
          fc.pre(key[at] !== c);
          expect(parseApiKey("gh", key.slice(0, at) + c + key.slice(at + 1))).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("refuses every swap of two neighbouring different characters", () => {
    const { key } = generateApiKey("gh", "secret");
    for (let i = 0; i + 1 < key.length; i++) {
      if (key[i] === key[i + 1]) continue;
      const swapped = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
      expect(parseApiKey("gh", swapped)).toBeUndefined();
    }
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        expect(parseApiKey("gh", s)).toBeUndefined();
      }),
    );
  });
});
