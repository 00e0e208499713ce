// Cookie reading and writing: hostile Cookie headers, serialisation, keeping earlier Set-Cookie values.
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { appendSetCookie, readCookie, serializeCookie } from "./cookies.js";

const req = (cookie: string | undefined) => ({ headers: { cookie } }) as unknown as IncomingMessage;

describe("readCookie()", () => {
  it.each([
    ["a=1; __Host-gh_refresh=abc.DEF_-9; b=2", "abc.DEF_-9"],
    ['__Host-gh_refresh="quoted"', "quoted"],
    ["x__Host-gh_refresh=no; __Host-gh_refresh=yes", "yes"],
    ["__Host-gh_refresh=first; __Host-gh_refresh=second", "first"],
  ])("reads %s", (header, value) => {
    expect(readCookie(req(header), "__Host-gh_refresh")).toBe(value);
  });

  it.each([
    ["absent", undefined],
    ["empty", "__Host-gh_refresh="],
    ["a value with a space", "__Host-gh_refresh=a b"],
    ["a value with a backslash", "__Host-gh_refresh=a\\b"],
    ["a header over 16 KiB", `pad=${"p".repeat(17_000)}; __Host-gh_refresh=abc`],
    ["only another cookie", "other=1"],
  ])("ignores %s", (_name, header) => {
    expect(readCookie(req(header), "__Host-gh_refresh")).toBeUndefined();
  });
});

describe("serializeCookie()", () => {
  it("writes the attributes in a fixed order, and an Expires in the past when deleting", () => {
    const a = { secure: true, httpOnly: true, sameSite: "Lax" } as const;
    expect(serializeCookie("n", "v", { ...a, maxAgeSec: 300.9 })).toBe(
      "n=v; Max-Age=300; Path=/; HttpOnly; Secure; SameSite=Lax",
    );
    expect(serializeCookie("n", "", { ...a, maxAgeSec: 0 })).toBe(
      "n=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax",
    );
  });

  it("refuses a value it would have to encode (a bug, never a silent change)", () => {
    const a = { secure: true, httpOnly: true, sameSite: "Lax", maxAgeSec: 1 } as const;
    expect(() => serializeCookie("n", "a;b", a)).toThrow(TypeError);
    expect(() => serializeCookie("bad name", "v", a)).toThrow(TypeError);
  });
});

describe("appendSetCookie()", () => {
  it("keeps the Set-Cookie values set before", () => {
    const headers = new Map<string, unknown>([["set-cookie", "theirs=1"]]);
    const res = {
      getHeader: (n: string) => headers.get(n),
      setHeader: (n: string, v: unknown) => headers.set(n, v),
    } as unknown as ServerResponse;
    appendSetCookie(res, ["ours=2"]);
    appendSetCookie(res, ["ours=3"]);
    expect(headers.get("set-cookie")).toEqual(["theirs=1", "ours=2", "ours=3"]);
  });
});
