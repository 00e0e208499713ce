import { type GatehouseError, isGatehouseError } from "@gatehouse/core";
import { describe, expect, it } from "vitest";
import { makeVerifier, validClerkToken } from "./fixtures.js";
import { hostileCases } from "./hostile-tokens.js";

const verifier = makeVerifier();

async function refusal(token: string, cookie = false): Promise<GatehouseError> {
  try {
    await verifier.verify(token, { source: cookie ? "cookie" : "header" });
  } catch (err) {
    if (isGatehouseError(err)) return err;
    throw err;
  }
  throw new Error("the hostile token was accepted");
}

describe("hostile tokens (RFC 8725)", () => {
  it("has at least 40 distinct hostile tokens", () => {
    expect(hostileCases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(hostileCases.map((c) => c.name)).size).toBe(hostileCases.length);
  });

  it("accepts the valid token the hostile ones are derived from", async () => {
    const ctx = await verifier.verify(await validClerkToken());
    expect(ctx.userId).toBe("user_test");
  });

  it.each(hostileCases)("refuses $name with $code", async ({ token, code, cookie }) => {
    const t = token();
    const err = await refusal(t, cookie);
    expect(err.code).toBe(code);
    expect(err.status).toBe(401);
    // The message is shown to clients: it must never echo the credential or any segment of it.
    for (const part of t.split(".").filter((p) => p.length > 8))
      expect(err.message).not.toContain(part);
  });

  it.each(hostileCases)(
    "authenticate() signs out $name without throwing",
    async ({ token, code, cookie }) => {
      const t = token();
      const headers = cookie ? { cookie: `__session=${t}` } : { authorization: `Bearer ${t}` };
      const auth = await verifier.authenticate({ headers });
      expect(auth.isSignedIn).toBe(false);
      expect(auth.reason).toBe(code);
      expect(auth.userId).toBeNull();
    },
  );

  it("gives a cookie token no benefit of the doubt when no authorized parties are configured", async () => {
    const open = makeVerifier({ authorizedParties: [] });
    const token = await validClerkToken();
    await expect(open.verify(token)).resolves.toMatchObject({ userId: "user_test" });
    await expect(open.verify(token, { source: "cookie" })).rejects.toMatchObject({
      code: "azp_invalid",
    });
  });
});
