// The walk-through of the README, against the real app on a SQLite file under a frozen clock.
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeClock } from "@gatehouse/testing";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { loadSecret } from "../src/secrets.js";
import { openSessions } from "../src/sessions.js";

const PUBLIC_URL = "http://localhost:3001";
const ADMIN = "admin-token-for-tests";
const CHROME =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

const dir = mkdtempSync(join(tmpdir(), "gh-sessions-app-"));
const clock = createFakeClock();
const { sessions, store } = await openSessions({
  file: join(dir, "sessions-app.sqlite"),
  secret: "test-secret-test-secret-test-secret-0123",
  publicUrl: PUBLIC_URL,
  clock,
});
const app = createApp({ sessions, adminToken: ADMIN, nodeEnv: "test", clock });

afterAll(() => store.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function signIn(userId: string, userAgent: string) {
  const res = await request(app)
    .post("/dev/sign-in")
    .set("user-agent", userAgent)
    .send({ userId })
    .expect(201);
  expect(res.headers["cache-control"]).toBe("no-store");
  return res.body as {
    accessToken: string;
    refreshToken: string;
    session: { id: string; browser: string | null; deviceId: string };
  };
}

describe("examples/sessions-app", () => {
  it("walks sessions: two devices, refresh, list, sign out elsewhere, refresh-token reuse", async () => {
    // Sign in twice, from two devices.
    const laptop = await signIn("user_ada", CHROME);
    const phone = await signIn("user_ada", IPHONE);
    expect(laptop.session.deviceId).not.toBe(phone.session.deviceId);
    expect(laptop.session.browser).toMatch(/^Chrome/);
    expect(phone.session.browser).toMatch(/^Safari/);

    // Refresh the laptop's pair.
    const refreshed = await request(app)
      .post("/auth/refresh")
      .send({ refreshToken: laptop.refreshToken })
      .expect(200);
    const laptop2 = refreshed.body as { accessToken: string; refreshToken: string };
    expect(laptop2.refreshToken).not.toBe(laptop.refreshToken);

    // List my sessions: both, the laptop's marked current.
    const list = await request(app)
      .get("/auth/sessions")
      .set(bearer(laptop2.accessToken))
      .expect(200);
    expect(
      list.body.sessions.map((s: { id: string; current: boolean }) => [s.id, s.current]).sort(),
    ).toEqual(
      [
        [laptop.session.id, true],
        [phone.session.id, false],
      ].sort(),
    );

    // Sign out everywhere else: the phone's access token is refused at once.
    await request(app).get("/api/me").set(bearer(phone.accessToken)).expect(200);
    const others = await request(app)
      .post("/auth/sessions/revoke-others")
      .set(bearer(laptop2.accessToken))
      .expect(200);
    expect(others.body).toEqual({ revoked: 1 });
    const refused = await request(app).get("/api/me").set(bearer(phone.accessToken)).expect(401);
    expect(refused.body.code).toBe("session_revoked");
    await request(app).get("/api/me").set(bearer(laptop2.accessToken)).expect(200);

    // Presenting the laptop's first (rotated) refresh token again, after the two-tabs grace
    // period, looks like theft: 401, and the whole session is revoked.
    clock.advance(11_000);
    const reused = await request(app)
      .post("/auth/refresh")
      .send({ refreshToken: laptop.refreshToken })
      .expect(401);
    expect(reused.body.code).toBe("refresh_token_reused");
    expect(reused.text).not.toContain(laptop.refreshToken);
    const after = await request(app).get("/api/me").set(bearer(laptop2.accessToken)).expect(401);
    expect(after.body.code).toBe("session_revoked");
    const stolen = await request(app)
      .post("/auth/refresh")
      .send({ refreshToken: laptop2.refreshToken })
      .expect(401);
    expect(stolen.body.code).toBe("session_revoked");
  });

  it("walks API keys: create, use on a scoped route, revoke, refused", async () => {
    const { accessToken } = await signIn("user_bob", CHROME);
    const created = await request(app)
      .post("/api-keys")
      .set(bearer(accessToken))
      .send({ name: "reporting script", scopes: ["reports:read"] })
      .expect(201);
    expect(created.headers["cache-control"]).toBe("no-store");
    const { key, apiKey } = created.body as { key: string; apiKey: { id: string } };

    const reports = await request(app).get("/api/reports").set(bearer(key)).expect(200);
    expect(reports.body.owner).toBe("user_bob");
    const me = await request(app).get("/api/me").set(bearer(key)).expect(200);
    expect(me.body).toEqual({
      userId: "user_bob",
      sessionId: null,
      tokenType: "api_key",
      scopes: ["reports:read"],
    });
    // The reports need a key: the user's session alone is not enough (sessions: "deny").
    const bySession = await request(app).get("/api/reports").set(bearer(accessToken)).expect(403);
    expect(bySession.body.code).toBe("scope_missing");
    // A key cannot mint keys.
    const minted = await request(app)
      .post("/api-keys")
      .set(bearer(key))
      .send({ name: "more" })
      .expect(403);
    expect(minted.body.code).toBe("forbidden");

    await request(app).delete(`/api-keys/${apiKey.id}`).set(bearer(accessToken)).expect(204);
    const revoked = await request(app).get("/api/reports").set(bearer(key)).expect(401);
    expect(revoked.body.code).toBe("api_key_revoked");
  });

  it("lets an admin sign a user out everywhere, behind the dev admin check", async () => {
    const a = await signIn("user_eve", CHROME);
    const b = await signIn("user_eve", IPHONE);
    const denied = await request(app)
      .post("/admin/users/user_eve/sign-out")
      .set("x-admin-token", "wrong")
      .expect(403);
    expect(denied.body.code).toBe("forbidden");
    await request(app).post("/admin/users/user_eve/sign-out").expect(403);
    const res = await request(app)
      .post("/admin/users/user_eve/sign-out")
      .set("x-admin-token", ADMIN)
      .expect(200);
    expect(res.body).toEqual({ userId: "user_eve", revoked: 2 });
    for (const token of [a.accessToken, b.accessToken]) {
      const r = await request(app).get("/api/me").set(bearer(token)).expect(401);
      expect(r.body.code).toBe("session_revoked");
    }
    const off = createApp({ sessions, nodeEnv: "test", clock });
    await request(off)
      .post("/admin/users/user_eve/sign-out")
      .set("x-admin-token", ADMIN)
      .expect(404);
  });

  it("serves the JWKS, and refuses the development sign-in in production", async () => {
    const jwks = await request(app).get("/.well-known/jwks.json").expect(200);
    expect(jwks.headers["cache-control"]).toBe("public, max-age=60");
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    const prod = createApp({ sessions, nodeEnv: "production", clock });
    await request(prod).post("/dev/sign-in").send({ userId: "user_1" }).expect(404);
    const bad = await request(app).post("/dev/sign-in").send({ userId: "../admin" }).expect(400);
    expect(bad.body.code).toBe("input_invalid");
  });

  it("runs in cookie mode too: HttpOnly cookies, no token in bodies, CSRF-checked refresh", async () => {
    const transport = {
      transport: "cookie",
      cookies: { secure: false, insecureDevCookies: true },
    } as const;
    const web = createApp({ sessions, transport, nodeEnv: "test", clock });
    const signedIn = await request(web)
      .post("/dev/sign-in")
      .send({ userId: "user_web" })
      .expect(201);
    expect(signedIn.body.accessToken).toBeUndefined();
    const cookies = (signedIn.headers["set-cookie"] as unknown as string[]).map(
      (c) => c.split(";")[0]!,
    );
    const jar = cookies.join("; ");
    await request(web).get("/api/me").set("cookie", jar).expect(200);
    const cross = await request(web)
      .post("/auth/refresh")
      .set("cookie", jar)
      .set("sec-fetch-site", "cross-site")
      .expect(403);
    expect(cross.body.code).toBe("csrf_rejected");
    await request(web)
      .post("/auth/refresh")
      .set("cookie", jar)
      .set("sec-fetch-site", "same-origin")
      .expect(200);
  });

  it("generates a development secret once, keeps it, and prefers GATEHOUSE_SECRET", () => {
    const secrets = mkdtempSync(join(tmpdir(), "gh-sessions-secret-"));
    const first = loadSecret("GATEHOUSE_SECRET", "dev-secret", {}, secrets);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadSecret("GATEHOUSE_SECRET", "dev-secret", {}, secrets)).toBe(first);
    expect(readFileSync(join(secrets, "dev-secret"), "utf8").trim()).toBe(first);
    expect(statSync(join(secrets, "dev-secret")).mode & 0o077).toBe(0);
    expect(
      loadSecret("GATEHOUSE_SECRET", "dev-secret", { GATEHOUSE_SECRET: "x".repeat(40) }, secrets),
    ).toBe("x".repeat(40));
    expect(() =>
      loadSecret("GATEHOUSE_SECRET", "other", { NODE_ENV: "production" }, secrets),
    ).toThrow(/must be set in production/);
    expect(existsSync(join(secrets, "other"))).toBe(false);
  });
});
