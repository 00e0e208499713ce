/**
 * Concurrency on every store the package runs on: two refreshes of one
 * token, a session limit hit by concurrent sign-ins, and a revocation seen
 * by a second instance.
 */
import { createVerifier, isGatehouseError } from "@gatehouse/core";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { sessionModel, usedRefreshTokenModel } from "./models.js";
import { BACKENDS, setup, useBackend } from "./test-helpers.js";

const outcome = (p: Promise<{ refreshToken: string }>) =>
  p.then(
    (r) => ({ ok: true as const, token: r.refreshToken }),
    (err: unknown) => ({
      ok: false as const,
      code: isGatehouseError(err) ? err.code : String(err),
    }),
  );

describe.each(BACKENDS)("on $name", ({ open }) => {
  const clock = createFakeClock();
  const opened = useBackend(open, clock);

  it("two concurrent refreshes within the grace period yield one successor, shared", async () => {
    const a = setup({ refresh: { reuseGraceSec: 10 } }, opened.current, clock);
    const b = setup({ refresh: { reuseGraceSec: 10 } }, opened.current, clock);
    const issued = await a.sessions.create({ userId: "race_grace" });
    const results = await Promise.all([
      outcome(a.sessions.refresh(issued.refreshToken)),
      outcome(b.sessions.refresh(issued.refreshToken)),
      outcome(a.sessions.refresh(issued.refreshToken)),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const tokens = new Set(results.map((r) => (r.ok ? r.token : "")));
    expect(tokens.size).toBe(1);
    const session = await opened.current.records.findOne(sessionModel, { id: issued.session.id });
    expect(session).toMatchObject({ status: "active", generation: 1 });
    // The shared successor keeps working.
    const [successor] = tokens;
    expect((await a.sessions.refresh(successor!)).session.generation).toBe(2);
  });

  it("without a grace period, the second of two concurrent refreshes is reuse and kills the family", async () => {
    const a = setup({ refresh: { reuseGraceSec: 0 } }, opened.current, clock);
    const b = setup({ refresh: { reuseGraceSec: 0 } }, opened.current, clock);
    const issued = await a.sessions.create({ userId: "race_strict" });
    const results = await Promise.all([
      outcome(a.sessions.refresh(issued.refreshToken)),
      outcome(b.sessions.refresh(issued.refreshToken)),
    ]);
    const won = results.filter((r) => r.ok);
    expect(won.length).toBeLessThanOrEqual(1);
    const codes = results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.code));
    expect(codes).toContain("refresh_token_reused");
    expect(codes.every((c) => c === "refresh_token_reused" || c === "session_revoked")).toBe(true);
    const session = await opened.current.records.findOne(sessionModel, { id: issued.session.id });
    expect(session).toMatchObject({ status: "revoked", revokedReason: "refresh_token_reused" });
    // Whoever got a new pair cannot use it: the whole session is gone.
    for (const r of won) {
      if (r.ok)
        await expect(a.sessions.refresh(r.token)).rejects.toMatchObject({
          code: "session_revoked",
        });
    }
  });

  it("reuse after the grace period revokes the session", async () => {
    const t = setup({ refresh: { reuseGraceSec: 5 } }, opened.current, clock);
    const issued = await t.sessions.create({ userId: "race_late" });
    await t.sessions.refresh(issued.refreshToken);
    clock.advance(6000);
    await expect(t.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: "refresh_token_reused",
    });
    const used = await opened.current.records.findOne(usedRefreshTokenModel, {
      sessionId: issued.session.id,
    });
    expect(used).toBeDefined();
  });

  it("concurrent sign-ins never exceed the session limit (evicting the oldest)", async () => {
    const t = setup({ limits: { maxSessionsPerUser: 3 } }, opened.current, clock);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => t.sessions.create({ userId: "race_limit_evict" })),
    );
    expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(3);
    const active = await t.sessions.list("race_limit_evict");
    expect(active.items).toHaveLength(3);
  });

  it("concurrent sign-ins never exceed the session limit (refusing the new)", async () => {
    const t = setup(
      { limits: { maxSessionsPerUser: 3, onLimit: "refuse" } },
      opened.current,
      clock,
    );
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => t.sessions.create({ userId: "race_limit_refuse" })),
    );
    const refused = results.filter(
      (r) =>
        r.status === "rejected" &&
        isGatehouseError(r.reason) &&
        r.reason.code === "session_limit_reached",
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(refused).toHaveLength(5);
    expect((await t.sessions.list("race_limit_refuse")).items).toHaveLength(3);
  });

  it("a revocation on one instance is refused by another instance's verifier within 1 s", async () => {
    const a = setup({}, opened.current, clock);
    const b = setup({}, opened.current, clock);
    const verifierB = createVerifier({ issuers: [b.sessions.issuer()], clock });
    const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const issued = await a.sessions.create({ userId: "race_revoke" });
    expect((await verifierB.authenticate(request(issued.accessToken))).isSignedIn).toBe(true);
    await a.sessions.revoke(issued.session.id);
    clock.advance(1001);
    expect((await verifierB.authenticate(request(issued.accessToken))).reason).toBe(
      "session_revoked",
    );
    // A refresh token of the revoked session is refused on both.
    await expect(b.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: "session_revoked",
    });
  });

  it("two instances rotating concurrently keep every access token verifiable", async () => {
    const a = setup({}, opened.current, clock);
    const b = setup({}, opened.current, clock);
    const verifier = createVerifier({ issuers: [a.sessions.issuer()], clock, cache: false });
    const created = await Promise.all([
      a.sessions.create({ userId: "race_keys" }),
      b.sessions.create({ userId: "race_keys" }),
    ]);
    for (const issued of created) {
      const auth = await verifier.authenticate({
        headers: { authorization: `Bearer ${issued.accessToken}` },
      });
      expect(auth.isSignedIn).toBe(true);
    }
  });
});
