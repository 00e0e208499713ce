import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { importJWK, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { generateTestKeys, type TestKeyAlgorithm } from "./keys.js";

const ALGS: TestKeyAlgorithm[] = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];

describe("generateTestKeys", () => {
  it("defaults to RS256, RSA 2048 and a random ins_ kid", () => {
    const a = generateTestKeys();
    const b = generateTestKeys();
    expect(a.alg).toBe("RS256");
    expect(a.publicKey.asymmetricKeyType).toBe("rsa");
    expect(a.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(a.kid).toMatch(/^ins_test_[0-9a-f]{16}$/);
    expect(a.kid).not.toBe(b.kid);
  });

  it("is synchronous", () => {
    const keys = generateTestKeys({ alg: "ES256" });
    expect(keys).not.toBeInstanceOf(Promise);
    expect(keys.privateKey.type).toBe("private");
  });

  it.each(ALGS)("%s: every form describes the same key pair", async (alg) => {
    const keys = generateTestKeys({ alg, kid: `kid-${alg}` });
    expect(keys.kid).toBe(`kid-${alg}`);
    expect(keys.publicJwk).toMatchObject({ kid: `kid-${alg}`, alg, use: "sig" });
    expect(keys.publicJwk).not.toHaveProperty("d");
    expect(keys.jwks).toEqual({ keys: [keys.publicJwk] });
    expect(keys.jwks.keys[0]).not.toBe(keys.publicJwk);
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const data = Buffer.from("payload");
    const hash = alg === "EdDSA" ? null : "sha256";
    const signature = sign(hash, data, createPrivateKey(keys.privateKeyPem));
    expect(verify(hash, data, createPublicKey(keys.publicKeyPem), signature)).toBe(true);

    const token = await new SignJWT({ sub: "u" })
      .setProtectedHeader({ alg, kid: keys.kid })
      .sign(keys.privateKey);
    const { payload } = await jwtVerify(token, await importJWK(keys.publicJwk, alg));
    expect(payload.sub).toBe("u");
  });

  it("honours modulusLength for RSA", () => {
    const keys = generateTestKeys({ alg: "PS256", modulusLength: 3072 });
    expect(keys.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(keys.publicJwk.kty).toBe("RSA");
  });

  it("uses the curve the algorithm names", () => {
    expect(generateTestKeys({ alg: "ES256" }).publicJwk.crv).toBe("P-256");
    expect(generateTestKeys({ alg: "ES384" }).publicJwk.crv).toBe("P-384");
    expect(generateTestKeys({ alg: "EdDSA" }).publicJwk).toMatchObject({
      kty: "OKP",
      crv: "Ed25519",
    });
  });

  it("rejects bad options", () => {
    expect(() => generateTestKeys({ alg: "HS256" as TestKeyAlgorithm })).toThrow(TypeError);
    expect(() => generateTestKeys({ modulusLength: 512 })).toThrow(TypeError);
    expect(() => generateTestKeys({ kid: "" })).toThrow(TypeError);
  });
});
