// sessionRouter() + startSession() on real Express 5 and Express 4 apps, with the real
// service (memory stores, frozen clock) and a real verifier behind authenticate().
import request from "supertest";
import { describe, expect, it } from "vitest";
import { sessionRouter } from "../express.js";
import {
  buildApp,
  CHROME,
  cookieHeader,
  cookieValue,
  expectNoSecret,
  expectProblem,
  FRAMEWORKS,
  sendChunked,
  service,
  setCookies,
} from "./test-helpers.js";

type App = ReturnType<typeof buildApp>;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signIn(app: App, userId = "user_1", headers: Record<string, string> = {}) {
  const res = await request(app)
    .post("/sign-in")
    .set("user-agent", CHROME)
    .set(headers)
    .send({ userId })
    .expect(201);
  return res;
}

describe.each(FRAMEWORKS)("sessionRouter() in bearer mode on %s", (framework) => {
  const { sessions, verifier, clock } = service();
  const app = buildApp(framework, sessions, verifier);
  const parsed = buildApp(framework, sessions, verifier, {}, { jsonParser: true });

  it("startSession(): 201 with the pair in the body, no-store, and only the device cookie", async () => {
    const res = await signIn(app);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      accessTokenExpiresAt: clock.now() + 300_000,
      refreshToken: expect.stringMatching(/^gh_rt_/),
      refreshTokenExpiresAt: expect.any(Number),
      session: expect.objectContaining({ userId: "user_1", status: "active" }),
    });
    expect(res.body.session.userAgent).toBe(CHROME);
    expect(res.body.session.ip).toMatch(/127\.0\.0\.1|::1/);
    const cookies = setCookies(res);
    expect([...cookies.keys()]).toEqual(["__Host-gh_device"]);
    expect(cookies.get("__Host-gh_device")).toMatch(
      /^__Host-gh_device=[^;]+; Max-Age=31536000; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("recognises the browser by its device cookie at the next sign-in", async () => {
    const first = await signIn(app, "user_dev");
    const device = cookieValue(setCookies(first).get("__Host-gh_device"));
    const second = await signIn(app, "user_dev", { cookie: `__Host-gh_device=${device}` });
    expect(second.body.session.deviceId).toBe(first.body.session.deviceId);
    const third = await signIn(app, "user_dev");
    expect(third.body.session.deviceId).not.toBe(first.body.session.deviceId);
  });

  it("POST /refresh rotates the pair (200, no-store), reading the body itself or from express.json()", async () => {
    for (const target of [app, parsed]) {
      const { body: first } = await signIn(target);
      const res = await request(target)
        .post("/auth/refresh")
        .send({ refreshToken: first.refreshToken })
        .expect(200);
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(res.body.refreshToken).not.toBe(first.refreshToken);
      expect(res.body.session.id).toBe(first.session.id);
      await request(target).get("/auth/sessions").set(bearer(res.body.accessToken)).expect(200);
    }
  });

  it("refuses a reused refresh token with 401 and revokes the session (theft detection)", async () => {
    const { body: first } = await signIn(app);
    const { body: second } = await request(app)
      .post("/auth/refresh")
      .send({ refreshToken: first.refreshToken })
      .expect(200);
    clock.advance(11_000); // past the two-tabs grace period
    const reused = await request(app)
      .post("/auth/refresh")
      .send({ refreshToken: first.refreshToken });
    expectProblem(reused, 401, "refresh_token_reused");
    expect(reused.headers["www-authenticate"]).toContain('error="invalid_token"');
    expectNoSecret(reused, first.refreshToken, second.refreshToken);
    expectProblem(
      await request(app).post("/auth/refresh").send({ refreshToken: second.refreshToken }),
      401,
      "session_revoked",
    );
    expectProblem(
      await request(app).get("/auth/sessions").set(bearer(second.accessToken)),
      401,
      "session_revoked",
    );
  });

  it("refuses an unknown refresh token with 401 refresh_token_invalid, never echoing it", async () => {
    const res = await request(app).post("/auth/refresh").send({ refreshToken: "gh_rt_forged" });
    expectProblem(res, 401, "refresh_token_invalid");
    expectNoSecret(res, "gh_rt_forged");
  });

  describe("hostile refresh bodies", () => {
    it.each([
      ["no body", (t: request.Test) => t, 400],
      ["an empty JSON object", (t: request.Test) => t.send({}), 400],
      ["refreshToken as a number", (t: request.Test) => t.send({ refreshToken: 42 }), 400],
      [
        "refreshToken as an object",
        (t: request.Test) => t.send({ refreshToken: { $ne: "" } }),
        400,
      ],
      [
        "refreshToken too long",
        (t: request.Test) => t.send({ refreshToken: "a".repeat(5000) }),
        400,
      ],
      ["a JSON array", (t: request.Test) => t.send([{ refreshToken: "x" }]), 400],
      [
        "malformed JSON",
        (t: request.Test) => t.set("content-type", "application/json").send('{"refreshToken":'),
        400,
      ],
      [
        "a text/plain body (the CORS-simple type)",
        (t: request.Test) => t.set("content-type", "text/plain").send('{"refreshToken":"x"}'),
        415,
      ],
      ["a form body", (t: request.Test) => t.type("form").send({ refreshToken: "x" }), 415],
      [
        "a JSON body in another charset",
        (t: request.Test) =>
          t.set("content-type", "application/json; charset=utf-16").send('{"refreshToken":"x"}'),
        415,
      ],
      [
        "a body over 16 KiB",
        (t: request.Test) => t.send({ refreshToken: "x", pad: "p".repeat(17_000) }),
        413,
      ],
    ])("answers %s with input_invalid", async (_name, build, status) => {
      const res = await build(request(app).post("/auth/refresh"));
      expectProblem(res, status, "input_invalid");
      expect(res.body.detail).not.toMatch(/\$ne|aaaa/);
    });

    it("refuses a chunked body that grows past 16 KiB (no Content-Length to check first)", async () => {
      const chunks = [
        '{"refreshToken":"',
        ...Array.from({ length: 10 }, () => "x".repeat(4096)),
        '"}',
      ];
      const res = await sendChunked(
        app,
        "/auth/refresh",
        { "content-type": "application/json", "transfer-encoding": "chunked" },
        chunks,
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ code: "input_invalid", status: 413 });
    });

    it("reads a small chunked body", async () => {
      const { body } = await signIn(app);
      const json = JSON.stringify({ refreshToken: body.refreshToken });
      const res = await sendChunked(
        app,
        "/auth/refresh",
        { "content-type": "application/json", "transfer-encoding": "chunked" },
        [json.slice(0, 10), json.slice(10)],
      );
      expect(res.status).toBe(200);
    });

    it("leaves malformed JSON to express.json() when the app mounted it (its own 400)", async () => {
      const res = await request(parsed)
        .post("/auth/refresh")
        .set("content-type", "application/json")
        .send("{nope");
      expect(res.status).toBe(400);
    });
  });

  it("POST /sign-out revokes the caller's session: 204, then its tokens are refused", async () => {
    const { body } = await signIn(app);
    const res = await request(app).post("/auth/sign-out").set(bearer(body.accessToken)).expect(204);
    expect(res.headers["cache-control"]).toBe("no-store");
    expectProblem(
      await request(app).get("/auth/sessions").set(bearer(body.accessToken)),
      401,
      "session_revoked",
    );
    expectProblem(
      await request(app).post("/auth/refresh").send({ refreshToken: body.refreshToken }),
      401,
      "session_revoked",
    );
  });

  it("GET /sessions lists my active sessions, newest first, mine marked current", async () => {
    const a = (await signIn(app, "user_list")).body;
    clock.advance(1000);
    const b = (await signIn(app, "user_list")).body;
    await signIn(app, "user_other");
    const res = await request(app).get("/auth/sessions").set(bearer(a.accessToken)).expect(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.nextCursor).toBeNull();
    expect(
      res.body.sessions.map((s: { id: string; current: boolean }) => [s.id, s.current]),
    ).toEqual([
      [b.session.id, false],
      [a.session.id, true],
    ]);
    expectNoSecret(res, a.refreshToken, b.refreshToken, a.accessToken);
    const page = await request(app)
      .get("/auth/sessions?limit=1")
      .set(bearer(a.accessToken))
      .expect(200);
    expect(page.body.sessions).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await request(app)
      .get(`/auth/sessions?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`)
      .set(bearer(a.accessToken))
      .expect(200);
    expect(next.body.sessions[0].id).toBe(a.session.id);
  });

  it.each([["limit=0"], ["limit=abc"], ["limit=101"], ["limit=1&limit=2"], ["unknown=1"]])(
    "GET /sessions?%s answers 400 input_invalid",
    async (query) => {
      const { body } = await signIn(app);
      expectProblem(
        await request(app).get(`/auth/sessions?${query}`).set(bearer(body.accessToken)),
        400,
        "input_invalid",
      );
    },
  );

  it("DELETE /sessions/:id revokes one of mine; someone else's or an unknown id is 404 not_found", async () => {
    const mine = (await signIn(app, "user_del")).body;
    const other = (await signIn(app, "user_del")).body;
    const stranger = (await signIn(app, "user_stranger")).body;
    await request(app)
      .delete(`/auth/sessions/${other.session.id}`)
      .set(bearer(mine.accessToken))
      .expect(204);
    expectProblem(
      await request(app).get("/auth/sessions").set(bearer(other.accessToken)),
      401,
      "session_revoked",
    );
    const theirs = await request(app)
      .delete(`/auth/sessions/${stranger.session.id}`)
      .set(bearer(mine.accessToken));
    expectProblem(theirs, 404, "not_found");
    await request(app).get("/auth/sessions").set(bearer(stranger.accessToken)).expect(200);
    expectProblem(
      await request(app).delete("/auth/sessions/sess_nope").set(bearer(mine.accessToken)),
      404,
      "not_found",
    );
    // A malformed id matches no route and falls through to the app's 404.
    const malformed = await request(app)
      .delete("/auth/sessions/%E0%A4%A")
      .set(bearer(mine.accessToken));
    expect(malformed.status).toBe(404);
  });

  it("POST /sessions/revoke-others signs out everywhere else and keeps this session", async () => {
    const here = (await signIn(app, "user_ro")).body;
    const there = (await signIn(app, "user_ro")).body;
    const res = await request(app)
      .post("/auth/sessions/revoke-others")
      .set(bearer(here.accessToken))
      .expect(200);
    expect(res.body).toEqual({ revoked: 1 });
    expectProblem(
      await request(app).get("/auth/sessions").set(bearer(there.accessToken)),
      401,
      "session_revoked",
    );
    await request(app).get("/auth/sessions").set(bearer(here.accessToken)).expect(200);
  });

  it("GET /devices lists my devices (this one current); PUT and DELETE /devices/:id/trust toggle trust", async () => {
    const a = await signIn(app, "user_dev2");
    const device = cookieValue(setCookies(a).get("__Host-gh_device"));
    const token = a.body.accessToken;
    await signIn(app, "user_dev2"); // another browser
    const list = await request(app).get("/auth/devices").set(bearer(token)).expect(200);
    expect(list.headers["cache-control"]).toBe("no-store");
    expect(list.body.devices).toHaveLength(2);
    const current = list.body.devices.find((d: { current: boolean }) => d.current);
    expect(current.id).toBe(a.body.session.deviceId);
    expect(current.trusted).toBe(false);
    await request(app).put(`/auth/devices/${current.id}/trust`).set(bearer(token)).expect(204);
    const trusted = await request(app).get("/auth/devices").set(bearer(token));
    expect(trusted.body.devices.find((d: { id: string }) => d.id === current.id).trusted).toBe(
      true,
    );
    await request(app).delete(`/auth/devices/${current.id}/trust`).set(bearer(token)).expect(204);
    const untrusted = await request(app).get("/auth/devices").set(bearer(token));
    expect(untrusted.body.devices.find((d: { id: string }) => d.id === current.id).trusted).toBe(
      false,
    );
    const stranger = (await signIn(app, "user_stranger2", { cookie: `__Host-gh_device=${device}` }))
      .body;
    expectProblem(
      await request(app).put(`/auth/devices/${current.id}/trust`).set(bearer(stranger.accessToken)),
      404,
      "not_found",
    );
  });

  it.each([
    ["POST", "/auth/sign-out"],
    ["GET", "/auth/sessions"],
    ["DELETE", "/auth/sessions/sess_x"],
    ["POST", "/auth/sessions/revoke-others"],
    ["GET", "/auth/devices"],
    ["PUT", "/auth/devices/dev_x/trust"],
    ["DELETE", "/auth/devices/dev_x/trust"],
  ])(
    "%s %s: 401 as requireAuth() answers when signed out, 403 forbidden for an API key",
    async (method, path) => {
      const call = () =>
        (request(app) as unknown as Record<string, (url: string) => request.Test>)[
          method.toLowerCase()
        ]!(path);
      const out = await call();
      expectProblem(out, 401, "token_missing");
      expect(out.headers["www-authenticate"]).toBe("Bearer");
      const expired = await call().set(bearer("not.a.jwt"));
      expectProblem(expired, 401, "token_base64_invalid");
      const { key } = await sessions.apiKeys.create({ subject: "user_1", name: "ci" });
      const res = await call().set(bearer(key));
      expectProblem(res, 403, "forbidden");
      expectNoSecret(res, key);
    },
  );

  it("passes requests it does not route to next()", async () => {
    const { body } = await signIn(app);
    expect((await request(app).get("/auth/refresh")).status).toBe(404);
    expect((await request(app).post("/auth/nope").set(bearer(body.accessToken))).status).toBe(404);
    expect((await request(app).patch("/auth/sessions").set(bearer(body.accessToken))).status).toBe(
      404,
    );
  });
});

describe.each(FRAMEWORKS)("sessionRouter() in cookie mode on %s", (framework) => {
  const { sessions, verifier, clock } = service();
  const transport = { transport: "cookie" } as const;
  const app = buildApp(framework, sessions, verifier, transport);
  const sameOrigin = { "sec-fetch-site": "same-origin" };

  async function cookieSignIn(userId = "user_c") {
    const res = await signIn(app, userId);
    const c = setCookies(res);
    return {
      res,
      access: cookieValue(c.get("__Host-gh_access")),
      refresh: cookieValue(c.get("__Host-gh_refresh")),
      device: cookieValue(c.get("__Host-gh_device")),
    };
  }

  const cleared = (res: request.Response) => {
    const c = setCookies(res);
    for (const name of ["__Host-gh_access", "__Host-gh_refresh"]) {
      expect(c.get(name)).toBe(
        `${name}=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`,
      );
    }
    expect(c.has("__Host-gh_device")).toBe(false);
  };

  it("startSession(): HttpOnly; Secure; SameSite=Lax; Path=/ cookies with Max-Age from the expiries, no token in the body", async () => {
    const { res, access, refresh } = await cookieSignIn();
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toEqual({
      accessTokenExpiresAt: clock.now() + 300_000,
      session: expect.objectContaining({ userId: "user_c" }),
    });
    expectNoSecret({ ...res, headers: {} } as request.Response, access, refresh);
    const c = setCookies(res);
    expect(c.get("__Host-gh_access")).toBe(
      `__Host-gh_access=${access}; Max-Age=300; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(c.get("__Host-gh_refresh")).toBe(
      `__Host-gh_refresh=${refresh}; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(c.get("__Host-gh_device")).toMatch(
      /; Max-Age=31536000; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("authenticates later requests from the access cookie", async () => {
    const { access } = await cookieSignIn("user_cookie_me");
    const res = await request(app)
      .get("/api/me")
      .set("cookie", cookieHeader({ "__Host-gh_access": access }))
      .expect(200);
    expect(res.body).toMatchObject({ userId: "user_cookie_me", tokenType: "session_token" });
  });

  it("POST /refresh reads the refresh cookie and sets a new pair (no token in the body)", async () => {
    const { refresh, access } = await cookieSignIn();
    const res = await request(app)
      .post("/auth/refresh")
      .set(sameOrigin)
      .set("cookie", cookieHeader({ "__Host-gh_refresh": refresh }))
      .send({ refreshToken: "ignored-in-cookie-mode" })
      .expect(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(Object.keys(res.body).sort()).toEqual(["accessTokenExpiresAt", "session"]);
    const c = setCookies(res);
    expect(cookieValue(c.get("__Host-gh_refresh"))).not.toBe(refresh);
    expect(cookieValue(c.get("__Host-gh_access"))).not.toBe(access);
    expect(c.get("__Host-gh_refresh")).toMatch(
      /; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("answers 401 and clears the cookies when the refresh cookie is missing or reused", async () => {
    const missing = await request(app).post("/auth/refresh").set(sameOrigin);
    expectProblem(missing, 401, "refresh_token_invalid");
    cleared(missing);
    const { refresh } = await cookieSignIn();
    await request(app)
      .post("/auth/refresh")
      .set("cookie", cookieHeader({ "__Host-gh_refresh": refresh }))
      .expect(200);
    clock.advance(11_000);
    const reused = await request(app)
      .post("/auth/refresh")
      .set("cookie", cookieHeader({ "__Host-gh_refresh": refresh }));
    expectProblem(reused, 401, "refresh_token_reused");
    cleared(reused);
    expectNoSecret(reused, refresh);
  });

  it("refuses a cross-site refresh or sign-out (csrf_rejected) and leaves the session alone", async () => {
    const { refresh, access } = await cookieSignIn();
    const jar = cookieHeader({ "__Host-gh_refresh": refresh, "__Host-gh_access": access });
    for (const path of ["/auth/refresh", "/auth/sign-out", "/auth/sessions/revoke-others"]) {
      const res = await request(app)
        .post(path)
        .set("cookie", jar)
        .set("sec-fetch-site", "cross-site")
        .set("origin", "https://evil.example");
      expectProblem(res, 403, "csrf_rejected");
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
    const old = await request(app)
      .post("/auth/refresh")
      .set("cookie", jar)
      .set("origin", "https://evil.example");
    expectProblem(old, 403, "csrf_rejected");
    await request(app)
      .get("/auth/sessions")
      .set("cookie", jar)
      .set("sec-fetch-site", "cross-site")
      .expect(200);
    await request(app).post("/auth/refresh").set("cookie", jar).set(sameOrigin).expect(200);
  });

  it("POST /sign-out revokes the session and clears the access and refresh cookies, keeping the device cookie", async () => {
    const { access, refresh } = await cookieSignIn();
    const res = await request(app)
      .post("/auth/sign-out")
      .set(sameOrigin)
      .set("cookie", cookieHeader({ "__Host-gh_access": access, "__Host-gh_refresh": refresh }))
      .expect(204);
    cleared(res);
    expectProblem(
      await request(app)
        .post("/auth/refresh")
        .set("cookie", cookieHeader({ "__Host-gh_refresh": refresh })),
      401,
      "session_revoked",
    );
  });

  it("a POST /sign-out with only the refresh cookie (access expired) ends the session on the server", async () => {
    const { refresh } = await cookieSignIn();
    const res = await request(app)
      .post("/auth/sign-out")
      .set("cookie", cookieHeader({ "__Host-gh_refresh": refresh }))
      .expect(204);
    cleared(res);
    expectProblem(
      await request(app)
        .post("/auth/refresh")
        .set("cookie", cookieHeader({ "__Host-gh_refresh": refresh })),
      401,
      "session_revoked",
    );
  });

  it("a signed-out POST /sign-out with no usable refresh cookie still clears the cookies and answers 401", async () => {
    const jars: Record<string, string>[] = [{}, { "__Host-gh_refresh": `gh_rt_${"A".repeat(43)}` }];
    for (const jar of jars) {
      const res = await request(app).post("/auth/sign-out").set("cookie", cookieHeader(jar));
      expectProblem(res, 401, "token_missing");
      cleared(res);
    }
  });

  it("DELETE /sessions/:id of the current session clears the cookies; CSRF applies to it", async () => {
    const { access, res: signedIn } = await cookieSignIn();
    const jar = cookieHeader({ "__Host-gh_access": access });
    const id = signedIn.body.session.id;
    expectProblem(
      await request(app)
        .delete(`/auth/sessions/${id}`)
        .set("cookie", jar)
        .set("sec-fetch-site", "same-site"),
      403,
      "csrf_rejected",
    );
    const res = await request(app)
      .delete(`/auth/sessions/${id}`)
      .set("cookie", jar)
      .set("origin", "http://127.0.0.1")
      .set("host", "127.0.0.1")
      .expect(204);
    cleared(res);
  });
});

describe("sessionRouter() transport options", () => {
  const { sessions, verifier } = service("gh_access");

  it("with insecureDevCookies: no __Host- prefix, no Secure", async () => {
    const app = buildApp("express 5", sessions, verifier, {
      transport: "cookie",
      cookies: { secure: false, insecureDevCookies: true },
    });
    const res = await signIn(app);
    const c = setCookies(res);
    expect([...c.keys()].sort()).toEqual(["gh_access", "gh_device", "gh_refresh"]);
    for (const line of c.values()) {
      expect(line).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);
      expect(line).not.toContain("Secure");
    }
    await request(app)
      .get("/api/me")
      .set("cookie", `gh_access=${cookieValue(c.get("gh_access"))}`)
      .expect(200);
  });

  it("with custom names and double-submit CSRF", async () => {
    const transport = {
      transport: "cookie",
      cookies: { names: { access: "__Host-a", refresh: "__Host-r", device: "__Host-d" } },
      csrf: { doubleSubmit: true },
    } as const;
    const app = buildApp("express 5", sessions, verifier, transport);
    const res = await signIn(app);
    const c = setCookies(res);
    expect([...c.keys()].sort()).toEqual(["__Host-a", "__Host-d", "__Host-gh_csrf", "__Host-r"]);
    const csrf = cookieValue(c.get("__Host-gh_csrf"));
    const jar = cookieHeader({
      "__Host-r": cookieValue(c.get("__Host-r")),
      "__Host-gh_csrf": csrf,
    });
    expectProblem(
      await request(app)
        .post("/auth/refresh")
        .set("cookie", jar)
        .set("sec-fetch-site", "same-origin"),
      403,
      "csrf_rejected",
    );
    await request(app)
      .post("/auth/refresh")
      .set("cookie", jar)
      .set("sec-fetch-site", "same-origin")
      .set("x-csrf-token", csrf)
      .expect(200);
  });

  it.each([
    [{ transport: "cookies" }, /option "transport"/],
    [{ cookies: { secure: false } }, /option "cookies.secure".*insecureDevCookies/],
    [
      { cookies: { secure: true, insecureDevCookies: true } },
      /option "cookies.insecureDevCookies"/,
    ],
    [
      { cookies: { insecureDevCookies: true, names: { access: "__Host-x" } } },
      /option "cookies.names.access"/,
    ],
    [{ cookies: { names: { access: "same", refresh: "same" } } }, /option "cookies.names"/],
    [{ cookies: { names: { access: "has space" } } }, /option "cookies.names.access"/],
    [{ csrf: { trustedOrigins: ["https://x.example/"] } }, /option "csrf/],
    [{ csrf: "on" }, /option "csrf"/],
    [{ cookie: {} }, /cookie/],
  ])("refuses %j at start-up with config_invalid naming the option", (options, message) => {
    expect(() => sessionRouter(sessions, options as never)).toThrow(message);
  });

  it("refuses a first argument that is not the service", () => {
    expect(() => sessionRouter({} as never)).toThrow(/createSessions\(\)/);
  });

  it("is a named three-argument middleware", () => {
    const router = sessionRouter(sessions);
    expect(router.name).toBe("sessionRouter");
    expect(router.length).toBe(3);
  });
});
