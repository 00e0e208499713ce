import { createVerifier, type GatehouseError, isGatehouseError } from "@gatehouse/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sessionModel, usedRefreshTokenModel } from "./models.js";
import { ISSUER, setup } from "./test-helpers.js";

const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (isGatehouseError(err)) return err.code;
    throw err;
  }
  throw new Error("expected a rejection");
}

function verifierFor(t: ReturnType<typeof setup>) {
  return createVerifier({ issuers: [t.sessions.issuer()], clock: t.clock });
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("sessions.create", () => {
  it("issues an access token the core verifier decodes like a Clerk session token", async () => {
    const t = setup({ authorizedParties: ["https://app.example.test"] });
    const issued = await t.sessions.create({
      userId: "user_1",
      authMethod: "password",
      organization: {
        id: "org_1",
        slug: "acme",
        role: "org:admin",
        permissions: ["org:invoices:read"],
      },
      factorVerificationAge: [0, -1],
      claims: { plan: "pro" },
      ip: "203.0.113.7",
      userAgent: CHROME_MAC,
    });
    const auth = await verifierFor(t).verify(issued.accessToken);
    expect(auth).toMatchObject({
      userId: "user_1",
      sessionId: issued.session.id,
      orgId: "org_1",
      orgSlug: "acme",
      orgRole: "org:admin",
      tokenType: "session_token",
      issuer: ISSUER,
      factorVerificationAge: [0, -1],
    });
    expect(auth.has({ permission: "org:invoices:read" })).toBe(true);
    expect(auth.claims).toMatchObject({ plan: "pro", azp: "https://app.example.test" });
    expect(issued.accessTokenExpiresAt).toBe(t.clock.now() + 300_000);
    expect(issued.refreshToken).toMatch(/^gh_rt_[A-Za-z0-9_-]{43}$/);
    expect(issued.session).toMatchObject({
      userId: "user_1",
      status: "active",
      browser: "Chrome 131",
      os: "macOS 10.15.7",
      deviceType: "desktop",
      ip: "203.0.113.7",
      authMethod: "password",
      orgId: "org_1",
      generation: 0,
    });
  });

  it("stores the refresh token only as a digest", async () => {
    const t = setup();
    const issued = await t.sessions.create({ userId: "user_1" });
    const stored = await t.records.findOne(sessionModel, { id: issued.session.id });
    expect(JSON.stringify(stored)).not.toContain(issued.refreshToken.slice(6));
    expect(stored?.refreshHash).toHaveLength(43);
  });

  it("adds claims from the accessToken.claims hook and refuses reserved names", async () => {
    const t = setup({ accessToken: { algorithm: "ES256", claims: (s) => ({ tier: s.userId }) } });
    const issued = await t.sessions.create({ userId: "user_9" });
    expect((await verifierFor(t).verify(issued.accessToken)).claims.tier).toBe("user_9");

    const bad = setup({ accessToken: { algorithm: "ES256", claims: () => ({ sub: "admin" }) } });
    expect(await codeOf(bad.sessions.create({ userId: "user_1" }))).toBe("input_invalid");
    expect(await codeOf(t.sessions.create({ userId: "u", claims: { sid: "x" } }))).toBe(
      "input_invalid",
    );
  });

  it("refuses bad input with input_invalid naming the field", async () => {
    const t = setup({ authorizedParties: ["https://app.example.test"] });
    const cases: unknown[] = [
      { userId: "" },
      { userId: 42 },
      { userId: "u".repeat(256) },
      { userId: "u", organization: { slug: "no-id" } },
      { userId: "u", claims: { big: "x".repeat(5000) } },
      { userId: "u", origin: "https://evil.example" },
      { userId: "u", factorVerificationAge: [1] },
    ];
    for (const input of cases) {
      const err = await t.sessions.create(input as never).then(
        () => undefined,
        (e: GatehouseError) => e,
      );
      expect(err?.code, JSON.stringify(input).slice(0, 80)).toBe("input_invalid");
    }
    expect(await t.records.findMany(sessionModel)).toMatchObject({ items: [] });
  });

  it("records a host geolocation, and ignores a failing or slow one", async () => {
    const t = setup({ geolocate: async () => ({ country: "NL", city: "Amsterdam" }) });
    const issued = await t.sessions.create({ userId: "u", ip: "198.51.100.1" });
    expect(issued.session.location).toEqual({ country: "NL", city: "Amsterdam" });

    const failing = setup({
      geolocate: async () => {
        throw new Error("geo down");
      },
    });
    expect(
      (await failing.sessions.create({ userId: "u", ip: "198.51.100.1" })).session.location,
    ).toBeNull();
    const slow = setup({ geolocate: () => new Promise(() => {}), geolocateTimeoutMs: 5 });
    expect(
      (await slow.sessions.create({ userId: "u", ip: "198.51.100.1" })).session.location,
    ).toBeNull();
  });

  it("emits session.created without any token material", async () => {
    const t = setup();
    const issued = await t.sessions.create({ userId: "user_1", authMethod: "passkey" });
    expect(t.ofType("session.created")[0]?.data).toMatchObject({
      sessionId: issued.session.id,
      userId: "user_1",
      newDevice: true,
      authMethod: "passkey",
    });
    const all = JSON.stringify(t.events);
    for (const secret of [issued.refreshToken, issued.accessToken, issued.deviceToken!]) {
      expect(all).not.toContain(secret);
    }
  });
});

describe("sessions.refresh", () => {
  it("rotates the refresh token and slides the idle timeout", async () => {
    const t = setup({ refresh: { idleTimeoutSec: 3600, reuseGraceSec: 10 } });
    const first = await t.sessions.create({ userId: "u" });
    t.clock.advance(1_800_000);
    const second = await t.sessions.refresh(first.refreshToken, { ip: "192.0.2.9" });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.session).toMatchObject({ id: first.session.id, generation: 1, ip: "192.0.2.9" });
    expect(second.session.idleExpiresAt).toBe(t.clock.now() + 3_600_000);
    expect(second.deviceToken).toBeNull();
    expect(t.ofType("session.refreshed")).toHaveLength(1);
    const auth = await verifierFor(t).verify(second.accessToken);
    expect(auth.sessionId).toBe(first.session.id);
  });

  it("hands out the same successor when the old token comes back within the grace period", async () => {
    const t = setup({ refresh: { reuseGraceSec: 10 } });
    const first = await t.sessions.create({ userId: "u" });
    const a = await t.sessions.refresh(first.refreshToken);
    t.clock.advance(5_000);
    const b = await t.sessions.refresh(first.refreshToken);
    expect(b.refreshToken).toBe(a.refreshToken);
    expect(b.session.generation).toBe(1);
    expect((await t.sessions.get(first.session.id))?.status).toBe("active");
    // The successor rotates normally afterwards.
    const c = await t.sessions.refresh(a.refreshToken);
    expect(c.session.generation).toBe(2);
  });

  it("revokes the session when a rotated token comes back after the grace period", async () => {
    const t = setup({ refresh: { reuseGraceSec: 10 } });
    const verifier = verifierFor(t);
    const first = await t.sessions.create({ userId: "u" });
    const second = await t.sessions.refresh(first.refreshToken);
    t.clock.advance(11_000);
    expect(await codeOf(t.sessions.refresh(first.refreshToken, { ip: "6.6.6.6" }))).toBe(
      "refresh_token_reused",
    );
    expect(await t.sessions.get(first.session.id)).toMatchObject({
      status: "revoked",
      revokedReason: "refresh_token_reused",
    });
    expect(t.ofType("session.reuse_detected")[0]?.data).toMatchObject({
      sessionId: first.session.id,
      ip: "6.6.6.6",
    });
    // The legitimate holder is signed out too: the family is dead.
    expect(await codeOf(t.sessions.refresh(second.refreshToken))).toBe("session_revoked");
    expect((await verifier.authenticate(bearer(second.accessToken))).reason).toBe(
      "session_revoked",
    );
  });

  it("detects reuse of a token several rotations old", async () => {
    const t = setup({ refresh: { reuseGraceSec: 0 } });
    const first = await t.sessions.create({ userId: "u" });
    let current = first;
    for (let i = 0; i < 3; i++) current = await t.sessions.refresh(current.refreshToken);
    expect(await codeOf(t.sessions.refresh(first.refreshToken))).toBe("refresh_token_reused");
    expect((await t.sessions.get(first.session.id))?.status).toBe("revoked");
    expect(await t.records.findMany(usedRefreshTokenModel)).toMatchObject({
      items: expect.arrayContaining([expect.objectContaining({ sessionId: first.session.id })]),
    });
  });

  it("refuses tampered, truncated, extended and malformed tokens without touching the session", async () => {
    const t = setup();
    const issued = await t.sessions.create({ userId: "u" });
    const token = issued.refreshToken;
    const flip = (s: string, i: number) =>
      s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const hostile: unknown[] = [
      flip(token, token.length - 1),
      flip(token, 10),
      token.slice(0, -1),
      `${token}A`,
      token.replace("gh_rt_", "gh_xx_"),
      ` ${token}`,
      token.toUpperCase(),
      "",
      "gh_rt_",
      `gh_rt_${"A".repeat(10_000)}`,
      `gh_rt_${"é".repeat(43)}`,
      null,
      42,
      { token },
    ];
    for (const bad of hostile) {
      expect(await codeOf(t.sessions.refresh(bad as string))).toBe("refresh_token_invalid");
    }
    expect(await t.sessions.get(issued.session.id)).toMatchObject({
      status: "active",
      generation: 0,
    });
    expect((await t.sessions.refresh(token)).session.generation).toBe(1);
  });

  it("answers any string with refresh_token_invalid (property)", async () => {
    const t = setup();
    const issued = await t.sessions.create({ userId: "u" });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.stringMatching(/^gh_rt_[A-Za-z0-9_-]{43}$/),
          fc
            .constant(issued.refreshToken)
            .chain((tok) =>
              fc.nat({ max: tok.length - 1 }).map((i) => tok.slice(0, i) + tok.slice(i + 1)),
            ),
        ),
        async (candidate) => {
          fc.pre(candidate !== issued.refreshToken);
          expect(await codeOf(t.sessions.refresh(candidate))).toBe("refresh_token_invalid");
        },
      ),
      { numRuns: 300 },
    );
    expect((await t.sessions.get(issued.session.id))?.generation).toBe(0);
  });

  it("ends a session idle past its timeout, and any session past its absolute lifetime", async () => {
    const t = setup({ refresh: { idleTimeoutSec: 600, absoluteLifetimeSec: 3600 } });
    const idle = await t.sessions.create({ userId: "u" });
    t.clock.advance(600_000);
    expect(await codeOf(t.sessions.refresh(idle.refreshToken))).toBe("session_expired");
    expect(await t.sessions.get(idle.session.id)).toMatchObject({ status: "expired" });
    expect(t.ofType("session.expired")[0]?.data).toMatchObject({ why: "idle" });

    const busy = await t.sessions.create({ userId: "u" });
    let token = busy.refreshToken;
    for (let i = 0; i < 7; i++) {
      t.clock.advance(500_000);
      token = (await t.sessions.refresh(token)).refreshToken;
    }
    // Refreshing keeps it alive against the idle timeout, never past the absolute lifetime.
    t.clock.advance(100_001);
    expect(await codeOf(t.sessions.refresh(token))).toBe("session_expired");
    expect(t.ofType("session.expired").at(-1)?.data).toMatchObject({ why: "absolute" });
  });

  it("never issues a refresh token outliving the absolute lifetime", async () => {
    const t = setup({ refresh: { idleTimeoutSec: 3000, absoluteLifetimeSec: 3600 } });
    const issued = await t.sessions.create({ userId: "u" });
    t.clock.advance(2_000_000);
    const next = await t.sessions.refresh(issued.refreshToken);
    expect(next.refreshTokenExpiresAt).toBe(issued.session.expiresAt);
  });
});

describe("revocation", () => {
  it("refuses a revoked session's access token at once, even from the verifier's cache", async () => {
    const t = setup();
    const verifier = verifierFor(t);
    const issued = await t.sessions.create({ userId: "u" });
    expect((await verifier.authenticate(bearer(issued.accessToken))).isSignedIn).toBe(true);
    expect(await t.sessions.revoke(issued.session.id, { reason: "signed_out", by: "u" })).toBe(
      true,
    );
    expect((await verifier.authenticate(bearer(issued.accessToken))).reason).toBe(
      "session_revoked",
    );
    expect(await codeOf(t.sessions.refresh(issued.refreshToken))).toBe("session_revoked");
    expect(await t.sessions.revoke(issued.session.id)).toBe(false);
    expect(t.ofType("session.revoked")).toHaveLength(1);
    expect(t.ofType("session.revoked")[0]?.data).toMatchObject({ reason: "signed_out", by: "u" });
  });

  it("reaches a second instance sharing the store within the staleness bound (1 s)", async () => {
    const a = setup();
    const b = setup({}, { records: a.records, kv: a.kv }, a.clock);
    const verifierB = createVerifier({ issuers: [b.sessions.issuer()], clock: a.clock });
    const issued = await a.sessions.create({ userId: "u" });
    expect((await verifierB.authenticate(bearer(issued.accessToken))).isSignedIn).toBe(true);
    await a.sessions.revoke(issued.session.id);
    a.clock.advance(1001);
    expect((await verifierB.authenticate(bearer(issued.accessToken))).reason).toBe(
      "session_revoked",
    );
  });

  it("revokes a session by its refresh token (sign-out after the access token expired)", async () => {
    const t = setup({ refresh: { reuseGraceSec: 10 } });
    const issued = await t.sessions.create({ userId: "u" });
    const rotated = await t.sessions.refresh(issued.refreshToken);
    // Within the grace period the previous token still names the session.
    expect(await t.sessions.revokeByRefreshToken(issued.refreshToken)).toBe(true);
    expect(await t.sessions.get(issued.session.id)).toMatchObject({
      status: "revoked",
      revokedReason: "signed_out",
      revokedBy: "u",
    });
    expect(await t.sessions.revokeByRefreshToken(rotated.refreshToken)).toBe(false);
    expect(await t.sessions.revokeByRefreshToken("nonsense")).toBe(false);
    const other = await t.sessions.create({ userId: "u" });
    const next = await t.sessions.refresh(other.refreshToken);
    t.clock.advance(11_000);
    // Outside the grace period an old token names nothing (and revokes nothing).
    expect(await t.sessions.revokeByRefreshToken(other.refreshToken)).toBe(false);
    expect(await t.sessions.revokeByRefreshToken(next.refreshToken)).toBe(true);
  });

  it("signs a user out of every other session, or of all of them", async () => {
    const t = setup();
    const verifier = verifierFor(t);
    const [one, two, three] = await Promise.all(
      [1, 2, 3].map(() => t.sessions.create({ userId: "u" })),
    );
    const other = await t.sessions.create({ userId: "someone_else" });
    expect(await t.sessions.revokeOthers("u", one!.session.id)).toBe(2);
    expect((await verifier.authenticate(bearer(two!.accessToken))).reason).toBe("session_revoked");
    expect((await verifier.authenticate(bearer(three!.accessToken))).reason).toBe(
      "session_revoked",
    );
    expect((await verifier.authenticate(bearer(one!.accessToken))).isSignedIn).toBe(true);
    expect((await t.sessions.list("u")).items.map((s) => s.id)).toEqual([one!.session.id]);
    expect(await t.sessions.revokeAll("u", { by: "admin_1" })).toBe(1);
    expect(await t.sessions.get(one!.session.id)).toMatchObject({
      status: "revoked",
      revokedReason: "admin",
      revokedBy: "admin_1",
    });
    expect((await verifier.authenticate(bearer(other.accessToken))).isSignedIn).toBe(true);
  });

  it("lists sessions newest first, with ended ones on request", async () => {
    const t = setup();
    const first = await t.sessions.create({ userId: "u" });
    t.clock.advance(1000);
    const second = await t.sessions.create({ userId: "u", userAgent: SAFARI_IPHONE });
    await t.sessions.revoke(first.session.id);
    expect((await t.sessions.list("u")).items.map((s) => s.id)).toEqual([second.session.id]);
    const all = await t.sessions.list("u", { includeEnded: true });
    expect(all.items.map((s) => [s.id, s.status])).toEqual([
      [second.session.id, "active"],
      [first.session.id, "revoked"],
    ]);
    expect(all.items[0]).toMatchObject({
      browser: "Safari 17",
      os: "iOS 17.5",
      deviceType: "mobile",
    });
  });
});

describe("devices", () => {
  it("recognises a returning browser by its signed cookie, per user", async () => {
    const t = setup();
    const first = await t.sessions.create({ userId: "u", userAgent: CHROME_MAC });
    expect(first.newDevice).toBe(true);
    expect(t.ofType("session.new_device")[0]?.data).toMatchObject({
      userId: "u",
      firstDevice: true,
      browser: "Chrome 131",
    });
    const again = await t.sessions.create({ userId: "u", deviceToken: first.deviceToken });
    expect(again.newDevice).toBe(false);
    expect(again.session.deviceId).toBe(first.session.deviceId);

    const phone = await t.sessions.create({ userId: "u", userAgent: SAFARI_IPHONE });
    expect(phone.newDevice).toBe(true);
    expect(t.ofType("session.new_device")[1]?.data).toMatchObject({ firstDevice: false });

    // The same browser signing in someone else is a new device for them.
    const shared = await t.sessions.create({ userId: "v", deviceToken: first.deviceToken });
    expect(shared.newDevice).toBe(true);
    expect(shared.session.deviceId).not.toBe(first.session.deviceId);
  });

  it("treats a forged or tampered device cookie as a new device", async () => {
    const t = setup();
    const first = await t.sessions.create({ userId: "u" });
    const [id, mac] = first.deviceToken!.split(".");
    // Regression: flipping to a fixed "A" left the cookie valid when the MAC already ended in "A".
    const flipLast = (s: string) => s.slice(0, -1) + (s.endsWith("A") ? "B" : "A");
    for (const forged of [
      `${id}.${flipLast(mac!)}`,
      `${id}.`,
      `${flipLast(id!)}.${mac}`,
      "garbage",
      "x".repeat(500),
    ]) {
      const issued = await t.sessions.create({ userId: "u", deviceToken: forged });
      expect(issued.newDevice, forged.slice(0, 40)).toBe(true);
    }
    const other = setup({ secret: "another-secret-another-secret-another-!" });
    const foreign = await other.sessions.create({ userId: "u" });
    expect(
      (await t.sessions.create({ userId: "u", deviceToken: foreign.deviceToken })).newDevice,
    ).toBe(true);
  });

  it("lists a user's devices and lets them trust one", async () => {
    const t = setup();
    const laptop = await t.sessions.create({ userId: "u", userAgent: CHROME_MAC });
    t.clock.advance(1000);
    const phone = await t.sessions.create({ userId: "u", userAgent: SAFARI_IPHONE });
    const devices = await t.sessions.devices("u");
    expect(devices.map((d) => d.id)).toEqual([phone.session.deviceId, laptop.session.deviceId]);
    expect(await t.sessions.trustDevice("u", laptop.session.deviceId!, true)).toBe(true);
    expect(await t.sessions.trustDevice("intruder", laptop.session.deviceId!, true)).toBe(false);
    expect((await t.sessions.devices("u")).find((d) => d.trusted)?.id).toBe(
      laptop.session.deviceId,
    );
    expect(t.ofType("device.trusted")).toHaveLength(1);
  });
});

describe("limits", () => {
  it("evicts the oldest session at the limit", async () => {
    const t = setup({ limits: { maxSessionsPerUser: 2 } });
    const verifier = verifierFor(t);
    const first = await t.sessions.create({ userId: "u" });
    t.clock.advance(10);
    await t.sessions.create({ userId: "u" });
    t.clock.advance(10);
    await t.sessions.create({ userId: "u" });
    expect((await t.sessions.list("u")).items).toHaveLength(2);
    expect(await t.sessions.get(first.session.id)).toMatchObject({
      status: "revoked",
      revokedReason: "session_limit",
    });
    expect((await verifier.authenticate(bearer(first.accessToken))).reason).toBe("session_revoked");
  });

  it("refuses a new session at the limit when configured to", async () => {
    const t = setup({ limits: { maxSessionsPerUser: 1, onLimit: "refuse" } });
    const first = await t.sessions.create({ userId: "u" });
    expect(await codeOf(t.sessions.create({ userId: "u" }))).toBe("session_limit_reached");
    await t.sessions.revoke(first.session.id);
    expect((await t.sessions.create({ userId: "u" })).session.status).toBe("active");
  });

  it("frees the slot of a session that timed out", async () => {
    const t = setup({
      limits: { maxSessionsPerUser: 1, onLimit: "refuse" },
      refresh: { idleTimeoutSec: 60 },
    });
    await t.sessions.create({ userId: "u" });
    t.clock.advance(61_000);
    expect((await t.sessions.create({ userId: "u" })).session.status).toBe("active");
  });
});

describe("activity and housekeeping", () => {
  it("writes lastActiveAt at most once per interval", async () => {
    const t = setup({ activityWriteIntervalSec: 60 });
    const issued = await t.sessions.create({ userId: "u" });
    t.clock.advance(1000);
    await t.sessions.touch(issued.session.id);
    const touchedAt = t.clock.now();
    t.clock.advance(1000);
    await t.sessions.touch(issued.session.id);
    expect((await t.sessions.get(issued.session.id))?.lastActiveAt).toBe(touchedAt);
    t.clock.advance(60_000);
    await t.sessions.touch(issued.session.id);
    expect((await t.sessions.get(issued.session.id))?.lastActiveAt).toBe(t.clock.now());
    await expect(t.sessions.touch("sess_missing")).resolves.toBeUndefined();
  });

  it("sweeps ended sessions and used refresh tokens after retention", async () => {
    const t = setup({ retentionSec: 3600, refresh: { idleTimeoutSec: 600, reuseGraceSec: 0 } });
    const ended = await t.sessions.create({ userId: "u" });
    await t.sessions.refresh(ended.refreshToken);
    await t.sessions.revoke(ended.session.id);
    t.clock.advance(3_000_000);
    const live = await t.sessions.create({ userId: "u" });
    expect(await t.sessions.sweep()).toBe(0);
    t.clock.advance(700_000);
    // The revoked one is past retention; the live one is idle-expired but within retention.
    expect(await t.sessions.sweep()).toBe(1);
    expect(await t.sessions.get(ended.session.id)).toBeUndefined();
    expect(await t.sessions.get(live.session.id)).toMatchObject({ status: "expired" });
  });
});
