// csrfProtection(): the Fetch Metadata / Origin matrix, double-submit tokens, start-up checks.
import { errorHandler } from "@gatehouse/express";
import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { csrfProtection } from "../express.js";
import { type CsrfOptions, checkCsrf, resolveCsrf } from "./csrf.js";
import { cookieValue, expectProblem, setCookies } from "./test-helpers.js";

const HOST = "app.example.test";

function app(options?: CsrfOptions) {
  const a = express();
  a.use(csrfProtection(options));
  a.all("/thing", (_req, res) => {
    res.json({ ok: true });
  });
  a.use(errorHandler());
  return a;
}

type Headers = Record<string, string>;
const post = (a: ReturnType<typeof app>, headers: Headers, method = "post") =>
  (request(a) as unknown as Record<string, (url: string) => request.Test>)[method]!("/thing")
    .set("host", HOST)
    .set(headers);

describe("csrfProtection() origin checks", () => {
  const plain = app({ trustedOrigins: ["https://admin.example.test"] });

  it.each([
    ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin" }],
    ["Sec-Fetch-Site: none (typed URL, bookmark)", { "sec-fetch-site": "none" }],
    [
      "cross-site from a trusted origin",
      { "sec-fetch-site": "cross-site", origin: "https://admin.example.test" },
    ],
    [
      "same-site from a trusted origin",
      { "sec-fetch-site": "same-site", origin: "https://admin.example.test" },
    ],
    ["no Sec-Fetch-Site, Origin of the request's own host", { origin: `https://${HOST}` }],
    [
      "no Sec-Fetch-Site, own host with the default port spelled out in Host",
      { origin: `https://${HOST}`, host: `${HOST}:443` },
    ],
    ["no Sec-Fetch-Site, a trusted Origin", { origin: "https://admin.example.test" }],
    ["neither header (not a browser)", {}],
  ])("passes %s", async (_name, headers: Headers) => {
    await post(plain, headers).expect(200, { ok: true });
  });

  it.each([
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    [
      "cross-site with an untrusted Origin",
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    ],
    [
      "cross-site claiming the request's own Origin (Sec-Fetch-Site wins)",
      { "sec-fetch-site": "cross-site", origin: `https://${HOST}` },
    ],
    ["an unknown Sec-Fetch-Site value", { "sec-fetch-site": "weird" }],
    ["no Sec-Fetch-Site, a foreign Origin", { origin: "https://evil.example" }],
    ["no Sec-Fetch-Site, Origin: null (sandboxed frame)", { origin: "null" }],
    ["no Sec-Fetch-Site, another port of the same host", { origin: `https://${HOST}:8443` }],
    [
      "no Sec-Fetch-Site, a trusted origin with a trailing slash is not that origin",
      { origin: "https://admin.example.test/" },
    ],
  ])("refuses %s with 403 csrf_rejected", async (_name, headers: Headers) => {
    const res = await post(plain, headers);
    expectProblem(res, 403, "csrf_rejected");
  });

  it.each(["put", "patch", "delete"])("checks %s like POST", async (method) => {
    expectProblem(
      await post(plain, { "sec-fetch-site": "cross-site" }, method),
      403,
      "csrf_rejected",
    );
  });

  it.each(["get", "head", "options"])(
    "lets safe %s requests through from anywhere",
    async (method) => {
      const res = await post(plain, { "sec-fetch-site": "cross-site" }, method);
      expect(res.status).toBe(200);
    },
  );
});

describe("csrfProtection({ doubleSubmit: true })", () => {
  const guarded = app({ doubleSubmit: true });

  it("sets a script-readable __Host- cookie on a request without one, and only then", async () => {
    const res = await request(guarded).get("/thing").set("host", HOST).expect(200);
    const line = setCookies(res).get("__Host-gh_csrf");
    expect(line).toMatch(
      /^__Host-gh_csrf=[A-Za-z0-9_-]{43}; Max-Age=31536000; Path=\/; Secure; SameSite=Strict$/,
    );
    expect(line).not.toContain("HttpOnly");
    const token = cookieValue(line);
    const again = await request(guarded)
      .get("/thing")
      .set("cookie", `__Host-gh_csrf=${token}`)
      .expect(200);
    expect(again.headers["set-cookie"]).toBeUndefined();
  });

  it("accepts the header matching the cookie, refuses a missing or different one", async () => {
    const token = cookieValue(
      setCookies(await request(guarded).get("/thing")).get("__Host-gh_csrf"),
    );
    const other = token.replace(/^./, token[0] === "A" ? "B" : "A");
    await post(guarded, { cookie: `__Host-gh_csrf=${token}`, "x-csrf-token": token }).expect(200);
    expectProblem(await post(guarded, { cookie: `__Host-gh_csrf=${token}` }), 403, "csrf_rejected");
    expectProblem(
      await post(guarded, { cookie: `__Host-gh_csrf=${token}`, "x-csrf-token": other }),
      403,
      "csrf_rejected",
    );
    expectProblem(
      await post(guarded, { cookie: `__Host-gh_csrf=${token}`, "x-csrf-token": token.slice(1) }),
      403,
      "csrf_rejected",
    );
  });

  it("refuses a request without the cookie and hands it one to retry with", async () => {
    const res = await post(guarded, { "x-csrf-token": "A".repeat(43) });
    expectProblem(res, 403, "csrf_rejected");
    expect(setCookies(res).has("__Host-gh_csrf")).toBe(true);
  });

  it("still applies the origin check first", async () => {
    const token = "A".repeat(43);
    const res = await post(guarded, {
      cookie: `__Host-gh_csrf=${token}`,
      "x-csrf-token": token,
      "sec-fetch-site": "cross-site",
    });
    expectProblem(res, 403, "csrf_rejected");
  });
});

describe("csrfProtection() start-up", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("is a named three-argument middleware", () => {
    const mw = csrfProtection();
    expect(mw.name).toBe("csrfProtection");
    expect(mw.length).toBe(3);
  });

  it.each([
    [{ trustedOrigins: ["https://a.example/path"] }, /option "trustedOrigins.0"/],
    [{ trustedOrigins: ["a.example"] }, /option "trustedOrigins.0"/],
    [{ trustedOrigins: ["ftp://a.example"] }, /option "trustedOrigins.0"/],
    [{ doubleSubmit: "yes" }, /option "doubleSubmit"/],
    [{ cookieName: "bad name" }, /option "cookieName"/],
    [{ insecureDevCookies: true, cookieName: "__Host-x" }, /option "cookieName"/],
    [{ trustedOrigin: [] }, /trustedOrigin/],
  ])("refuses %j naming the option", (options, message) => {
    expect(() => csrfProtection(options as CsrfOptions)).toThrow(message);
    try {
      csrfProtection(options as CsrfOptions);
    } catch (err) {
      expect(err).toMatchObject({ code: "config_invalid" });
    }
  });

  it("drops the __Host- prefix and Secure with insecureDevCookies, and refuses them in production", async () => {
    const res = await request(app({ doubleSubmit: true, insecureDevCookies: true })).get("/thing");
    expect(setCookies(res).get("gh_csrf")).toMatch(
      /^gh_csrf=[^;]+; Max-Age=31536000; Path=\/; SameSite=Strict$/,
    );
    vi.stubEnv("NODE_ENV", "production");
    expect(() => csrfProtection({ insecureDevCookies: true })).toThrow(/insecureDevCookies/);
  });

  it("does not look at the body or the URL, only headers (checkCsrf on a bare request)", () => {
    const s = resolveCsrf("test", {});
    const req = { method: "POST", headers: { "sec-fetch-site": "same-origin" } };
    expect(checkCsrf(req as never, {} as never, s)).toBeNull();
  });
});
