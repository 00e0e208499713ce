import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeClock, nowSec } from "./clock.js";
import { type JwksServer, serveJwks } from "./jwks-server.js";
import { generateTestKeys } from "./keys.js";
import { mintToken } from "./mint.js";

const keys = generateTestKeys();
let jwks: JwksServer;

beforeAll(async () => {
  jwks = await serveJwks(keys.jwks);
});
afterAll(() => jwks.close());

describe("mintToken", () => {
  it("mints a token that jose verifies against the served JWKS", async () => {
    const token = await mintToken(keys, { iss: "https://issuer.test", sub: "user_1", aud: "api" });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(jwks.url)),
      {
        issuer: "https://issuer.test",
        audience: "api",
        algorithms: ["RS256"],
      },
    );
    expect(protectedHeader).toEqual({ alg: "RS256", kid: keys.kid, typ: "JWT" });
    expect(payload).toMatchObject({ iss: "https://issuer.test", sub: "user_1", aud: "api" });
    expect(jwks.requests).toBeGreaterThanOrEqual(1);
  });

  it("sets iat = now and exp = now + 60 from the clock", async () => {
    const clock = createFakeClock();
    const payload = decodeJwt(await mintToken(keys, { sub: "u" }, { clock }));
    expect(payload.iat).toBe(nowSec(clock));
    expect(payload.exp).toBe(nowSec(clock) + 60);
    expect(payload).not.toHaveProperty("nbf");
  });

  it("expires by the fake clock", async () => {
    const clock = createFakeClock();
    const token = await mintToken(keys, { sub: "u" }, { clock, expiresInSec: 30 });
    const currentDate = () => new Date(clock.now());
    await expect(
      jwtVerify(token, keys.publicKey, { currentDate: currentDate() }),
    ).resolves.toBeTruthy();
    clock.advance(30_000);
    await expect(
      jwtVerify(token, keys.publicKey, { currentDate: currentDate() }),
    ).rejects.toBeInstanceOf(errors.JWTExpired);
  });

  it("takes expiresInSec, notBeforeSec and issuedAtSec", async () => {
    const clock = createFakeClock();
    const now = nowSec(clock);
    const payload = decodeJwt(
      await mintToken(
        keys,
        {},
        { clock, expiresInSec: -5, notBeforeSec: now + 100, issuedAtSec: now - 7 },
      ),
    );
    expect(payload).toEqual({ iat: now - 7, nbf: now + 100, exp: now - 5 });
  });

  it("lets the payload win, and undefined removes a claim", async () => {
    const payload = decodeJwt(await mintToken(keys, { iat: 1, exp: undefined, sub: "u" }));
    expect(payload).toEqual({ iat: 1, sub: "u" });
  });

  it("merges header overrides over alg/kid/typ", async () => {
    const token = await mintToken(keys, {}, { header: { typ: "at+jwt", kid: "other", x: 1 } });
    expect(decodeProtectedHeader(token)).toEqual({
      alg: "RS256",
      kid: "other",
      typ: "at+jwt",
      x: 1,
    });
  });

  it("signs with every supported key type", async () => {
    for (const alg of ["PS256", "ES384", "EdDSA"] as const) {
      const k = generateTestKeys({ alg });
      const { protectedHeader } = await jwtVerify(await mintToken(k, { sub: "u" }), k.publicKey);
      expect(protectedHeader.alg).toBe(alg);
    }
  });

  it("rejects a non-object payload and non-finite lifetimes", async () => {
    await expect(mintToken(keys, [] as unknown as Record<string, unknown>)).rejects.toThrow(
      TypeError,
    );
    await expect(mintToken(keys, {}, { expiresInSec: Number.NaN })).rejects.toThrow(TypeError);
  });
});
