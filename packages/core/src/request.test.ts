import { describe, expect, it } from "vitest";
import { readCookie, readCredential } from "./request.js";

const TOKEN = "aaa.bbb.ccc";

describe("readCredential", () => {
  it("reads a Bearer token from Node-style lower-case headers", () => {
    expect(readCredential({ headers: { authorization: `Bearer ${TOKEN}` } }, "__session")).toEqual({
      token: TOKEN,
      source: "header",
    });
  });

  it("trims whitespace around the token and accepts any casing of the scheme", () => {
    for (const value of [`bearer ${TOKEN}`, `BEARER   ${TOKEN}  `, `Bearer\u0020${TOKEN}`]) {
      expect(readCredential({ headers: { authorization: value } }, "__session")?.token).toBe(TOKEN);
    }
  });

  it("ignores other schemes and a scheme glued to the token", () => {
    for (const value of [
      `Basic ${TOKEN}`,
      `Token ${TOKEN}`,
      `Bearer${TOKEN}`,
      `DPoP ${TOKEN}`,
      "Bearer    ",
    ]) {
      expect(
        readCredential({ headers: { authorization: value } }, "__session"),
        value,
      ).toBeUndefined();
    }
  });

  it("falls back to the session cookie, and prefers the header when both are sent", () => {
    const cookie = { cookie: `__session=${TOKEN}` };
    expect(readCredential({ headers: cookie }, "__session")).toEqual({
      token: TOKEN,
      source: "cookie",
    });
    expect(
      readCredential(
        { headers: { ...cookie, authorization: "Bearer other.token.x" } },
        "__session",
      ),
    ).toEqual({ token: "other.token.x", source: "header" });
    expect(
      readCredential({ headers: { ...cookie, authorization: "Basic dTpw" } }, "__session"),
    ).toEqual({
      token: TOKEN,
      source: "cookie",
    });
  });

  it("ignores array-valued headers rather than guessing", () => {
    expect(
      readCredential(
        { headers: { authorization: [`Bearer ${TOKEN}`, "Bearer x.y.z"] } },
        "__session",
      ),
    ).toBeUndefined();
  });

  it("reads a Fetch Headers object, case-insensitively", () => {
    const headers = new Headers({ AUTHORIZATION: `Bearer ${TOKEN}` });
    expect(readCredential({ headers }, "__session")).toEqual({ token: TOKEN, source: "header" });
    const cookies = new Headers({ Cookie: `a=1; __session=${TOKEN}` });
    expect(readCredential({ headers: cookies }, "__session")).toEqual({
      token: TOKEN,
      source: "cookie",
    });
    expect(readCredential({ headers: new Headers() }, "__session")).toBeUndefined();
  });
});

describe("readCookie", () => {
  it("finds the named cookie among others, with or without spaces", () => {
    expect(readCookie(`a=1; __session=${TOKEN}; b=2`, "__session")).toBe(TOKEN);
    expect(readCookie(`a=1;__session=${TOKEN}`, "__session")).toBe(TOKEN);
    expect(readCookie(`__session=${TOKEN}`, "__session")).toBe(TOKEN);
  });

  it("does not match a cookie whose name merely starts or ends with the name", () => {
    expect(readCookie(`__session_abc=${TOKEN}; x__session=y`, "__session")).toBeUndefined();
    expect(readCookie(`__session_abc=${TOKEN}; __session=z`, "__session")).toBe("z");
  });

  it("unquotes a quoted value", () => {
    expect(readCookie(`__session="${TOKEN}"`, "__session")).toBe(TOKEN);
    expect(readCookie('__session="', "__session")).toBe('"');
  });

  it("returns the first of two equal names, and '' for an empty value", () => {
    expect(readCookie("__session=first; __session=second", "__session")).toBe("first");
    expect(readCookie("__session=", "__session")).toBe("");
    expect(readCookie("", "__session")).toBeUndefined();
  });
});
