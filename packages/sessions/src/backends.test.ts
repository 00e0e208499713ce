/**
 * The bad-input cases of refresh tokens and API keys, on every store the
 * package runs on (memory, SQLite, PostgreSQL).
 */
import { createVerifier } from "@gatehouse/core";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { BACKENDS, setup, useBackend } from "./test-helpers.js";

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe.each(BACKENDS)("on $name", ({ open }) => {
  const clock = createFakeClock();
  const opened = useBackend(open, clock);

  it("refuses refresh after expiry, after revocation, and with tampered or truncated tokens", async () => {
    const t = setup({ refresh: { idleTimeoutSec: 600 } }, opened.current, clock);
    const expired = await t.sessions.create({ userId: "bad_input" });
    const revoked = await t.sessions.create({ userId: "bad_input" });
    const live = await t.sessions.create({ userId: "bad_input" });
    await t.sessions.revoke(revoked.session.id);
    await expect(t.sessions.refresh(revoked.refreshToken)).rejects.toMatchObject({
      code: "session_revoked",
    });
    const token = live.refreshToken;
    for (const bad of [
      token.slice(0, -2),
      `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
    ]) {
      await expect(t.sessions.refresh(bad)).rejects.toMatchObject({
        code: "refresh_token_invalid",
      });
    }
    clock.advance(300_000);
    await t.sessions.refresh(live.refreshToken);
    clock.advance(400_000);
    await expect(t.sessions.refresh(expired.refreshToken)).rejects.toMatchObject({
      code: "session_expired",
    });
    expect(await t.sessions.get(expired.session.id)).toMatchObject({ status: "expired" });
  });

  it("refuses an expired API key, a revoked one on another instance, and a key of another app", async () => {
    const a = setup({}, opened.current, clock);
    const b = setup({}, opened.current, clock);
    const other = setup(
      { secret: "another-app-secret-another-app-secret!!" },
      opened.current,
      clock,
    );
    const verifierB = createVerifier({ issuers: [b.sessions.apiKeyIssuer()], clock });
    const short = await a.sessions.apiKeys.create({
      subject: "key_owner",
      name: "short",
      expiresInSec: 60,
    });
    const long = await a.sessions.apiKeys.create({ subject: "key_owner", name: "long" });
    const foreign = await other.sessions.apiKeys.create({ subject: "key_owner", name: "x" });
    expect((await verifierB.authenticate(bearer(short.key))).isSignedIn).toBe(true);
    expect((await verifierB.authenticate(bearer(long.key))).isSignedIn).toBe(true);
    expect((await verifierB.authenticate(bearer(foreign.key))).reason).toBe("api_key_invalid");

    await a.sessions.apiKeys.revoke(long.apiKey.id);
    clock.advance(1001);
    expect((await verifierB.authenticate(bearer(long.key))).reason).toBe("api_key_revoked");
    clock.advance(60_000);
    expect((await verifierB.authenticate(bearer(short.key))).reason).toBe("api_key_expired");
  });
});
