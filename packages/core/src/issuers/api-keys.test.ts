import { createFakeClock, generateTestKeys, mintToken } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { GatehouseError, StoreUnavailableError } from "../errors.js";
import { createVerifier } from "../verifier.js";
import { type ApiKeyGrant, apiKeys } from "./api-keys.js";
import { jwks } from "./jwks.js";

const GOOD = `gh_sk_${"a".repeat(40)}`;
const grant: ApiKeyGrant = {
  id: "key_1",
  subject: "user_1",
  orgId: "org_1",
  scopes: ["reports:read", "invoices:write"],
  kind: "secret",
  expiresAt: null,
};
const req = (token: string, cookie = false) => ({
  headers: cookie ? { cookie: `__session=${token}` } : { authorization: `Bearer ${token}` },
});

function setup(overrides: Partial<ApiKeyGrant> = {}, options: Record<string, unknown> = {}) {
  const clock = createFakeClock();
  const calls: string[] = [];
  let failure: Error | undefined;
  const revoked = new Set<string>();
  const issuer = apiKeys({
    resolver: {
      async resolve(secret) {
        calls.push(secret);
        if (failure) throw failure;
        if (secret !== GOOD)
          throw new GatehouseError("api_key_invalid", "The API key is not valid.");
        return { ...grant, ...overrides };
      },
    },
    revocations: { isRevoked: (kind, id) => kind === "api_key" && revoked.has(id) },
    ...options,
  });
  const verifier = createVerifier({ issuers: [issuer], clock });
  return {
    clock,
    calls,
    revoked,
    verifier,
    fail: (err: Error | undefined) => {
      failure = err;
    },
  };
}

describe("apiKeys()", () => {
  it("maps a key to a scoped api_key context", async () => {
    const t = setup();
    const auth = await t.verifier.authenticate(req(GOOD));
    expect(auth).toMatchObject({
      isSignedIn: true,
      userId: "user_1",
      orgId: "org_1",
      sessionId: null,
      tokenType: "api_key",
      issuer: "gatehouse:api_keys",
      scopes: ["reports:read", "invoices:write"],
    });
    expect(auth.claims).toMatchObject({ jti: "key_1", scope: "reports:read invoices:write" });
  });

  it("serves a verified key from the cache until its TTL, then asks again", async () => {
    const t = setup({}, { cache: { ttlSec: 60 } });
    await t.verifier.authenticate(req(GOOD));
    expect(t.verifier.authenticateSync(req(GOOD))?.isSignedIn).toBe(true);
    expect(t.calls).toHaveLength(1);
    t.clock.advance(60_000);
    await t.verifier.authenticate(req(GOOD));
    expect(t.calls).toHaveLength(2);
  });

  it("remembers refused keys for the negative TTL, but never an outage", async () => {
    const t = setup({}, { cache: { negativeTtlSec: 30 } });
    const bad = `gh_sk_${"b".repeat(40)}`;
    for (let i = 0; i < 5; i++)
      expect((await t.verifier.authenticate(req(bad))).reason).toBe("api_key_invalid");
    expect(t.calls).toHaveLength(1);
    t.clock.advance(30_000);
    await t.verifier.authenticate(req(bad));
    expect(t.calls).toHaveLength(2);

    t.fail(new StoreUnavailableError("down"));
    const other = `gh_sk_${"c".repeat(40)}`;
    await expect(t.verifier.authenticate(req(other))).rejects.toMatchObject({
      code: "store_unavailable",
    });
    t.fail(undefined);
    expect((await t.verifier.authenticate(req(other))).reason).toBe("api_key_invalid");
  });

  it("shares one lookup among concurrent requests for the same key", async () => {
    const t = setup();
    await Promise.all(Array.from({ length: 10 }, () => t.verifier.authenticate(req(GOOD))));
    expect(t.calls).toHaveLength(1);
  });

  it("refuses an expired key, and stops caching at the key's expiry", async () => {
    const clock0 = createFakeClock();
    const t = setup({ expiresAt: clock0.now() + 10_000 });
    expect((await t.verifier.authenticate(req(GOOD))).isSignedIn).toBe(true);
    t.clock.advance(10_000);
    expect((await t.verifier.authenticate(req(GOOD))).reason).toBe("api_key_expired");
  });

  it("refuses a revoked key even from the cache", async () => {
    const t = setup();
    expect((await t.verifier.authenticate(req(GOOD))).isSignedIn).toBe(true);
    t.revoked.add("key_1");
    expect((await t.verifier.authenticate(req(GOOD))).reason).toBe("api_key_revoked");
  });

  it("refuses keys from a cookie and oversized keys without a lookup", async () => {
    const t = setup();
    expect((await t.verifier.authenticate(req(GOOD, true))).reason).toBe("api_key_invalid");
    expect((await t.verifier.authenticate(req(`gh_sk_${"a".repeat(9000)}`))).reason).toBe(
      "token_too_large",
    );
    expect(t.calls).toHaveLength(0);
  });

  it("leaves JWTs to the JWT issuers", async () => {
    const clock = createFakeClock();
    const keys = generateTestKeys({ alg: "ES256" });
    const verifier = createVerifier({
      issuers: [
        apiKeys({ resolver: { resolve: async () => grant } }),
        jwks({ issuer: "https://idp.test", jwks: keys.jwks }),
      ],
      clock,
    });
    const jwt = await mintToken(keys, { iss: "https://idp.test", sub: "user_2" }, { clock });
    expect(await verifier.authenticate(req(jwt))).toMatchObject({
      userId: "user_2",
      tokenType: "jwt",
      scopes: null,
    });
    expect(await verifier.authenticate(req(GOOD))).toMatchObject({ tokenType: "api_key" });
  });

  it("never puts the key in an error", async () => {
    const t = setup();
    const bad = `gh_sk_${"z".repeat(40)}`;
    const auth = await t.verifier.authenticate(req(bad));
    expect(JSON.stringify(auth)).not.toContain("zzzz");
  });

  it("validates its options", () => {
    expect(() => apiKeys({ resolver: {} as never })).toThrow(/resolver/);
    expect(() => apiKeys({ resolver: { resolve: async () => grant }, prefixes: ["a b"] })).toThrow(
      /prefixes/,
    );
  });
});
