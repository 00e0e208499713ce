import { describe, expect, it } from "vitest";
import { type SignedInFields, signedIn } from "./auth-context.js";
import type { SessionClaims } from "./claims.js";
import { TokenCache } from "./token-cache.js";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl";

function context(userId: string) {
  const fields: SignedInFields = {
    userId,
    sessionId: null,
    sessionStatus: null,
    orgId: null,
    orgRole: null,
    orgSlug: null,
    orgPermissions: null,
    features: null,
    plans: null,
    factorVerificationAge: null,
    actor: null,
    tokenType: "jwt",
    issuer: "https://issuer.test",
    claims: { iss: "https://issuer.test", sub: userId, exp: 2 } as SessionClaims,
  };
  return signedIn(fields);
}

describe("TokenCache", () => {
  it("keys on a digest, so the cache holds no usable token", () => {
    const cache = new TokenCache();
    const key = cache.key(TOKEN, false);
    for (const part of TOKEN.split(".")) expect(key).not.toContain(part);
    expect(cache.key(TOKEN, false)).toBe(key);
    expect(cache.key(`${TOKEN}x`, false)).not.toBe(key);
  });

  it("keys header and cookie presentations of one token apart", () => {
    const cache = new TokenCache();
    expect(cache.key(TOKEN, true)).not.toBe(cache.key(TOKEN, false));
  });

  it("serves an entry strictly before its expiry and drops it at expiry", () => {
    const cache = new TokenCache();
    const ctx = context("user_1");
    cache.set("k", ctx, 2_000);
    expect(cache.get("k", 1_999)).toBe(ctx);
    expect(cache.get("k", 2_000)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.get("k", 0)).toBeUndefined();
  });

  it("evicts the oldest entry when full", () => {
    const cache = new TokenCache({ maxEntries: 2 });
    cache.set("a", context("a"), 10_000);
    cache.set("b", context("b"), 10_000);
    cache.set("c", context("c"), 10_000);
    expect(cache.size).toBe(2);
    expect(cache.get("a", 0)).toBeUndefined();
    expect(cache.get("b", 0)?.userId).toBe("b");
    expect(cache.get("c", 0)?.userId).toBe("c");
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
