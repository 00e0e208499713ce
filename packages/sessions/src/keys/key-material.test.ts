import { createPublicKey, verify } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecretRing } from "../crypto.js";
import { createJwsSigner } from "./jws.js";
import {
  createKeyMaterial,
  openPrivateKey,
  publicJwkOf,
  SIGNING_ALGORITHMS,
} from "./key-material.js";

const secrets = new SecretRing(["a-long-random-secret-for-tests-0001"]);
const PUBLIC = new Set(["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use"]);

describe("createKeyMaterial", () => {
  it.each(SIGNING_ALGORITHMS)("seals a %s private key that only its own kid opens", async (alg) => {
    const material = await createKeyMaterial(alg, "kid-1", secrets);
    expect(material.sealedPrivateKey).toMatch(/^v1\./);
    expect(material.sealedPrivateKey).not.toContain("PRIVATE");
    expect(
      openPrivateKey(secrets, { kid: "kid-1", alg, privateKey: material.sealedPrivateKey }),
    ).toBeDefined();
    // The kid is the AAD: a sealed key moved onto another record does not open.
    expect(
      openPrivateKey(secrets, { kid: "kid-2", alg, privateKey: material.sealedPrivateKey }),
    ).toBeUndefined();
  });

  it("refuses a key stored under an algorithm it does not fit", async () => {
    const material = await createKeyMaterial("ES256", "kid-1", secrets);
    const record = { kid: "kid-1", privateKey: material.sealedPrivateKey };
    expect(openPrivateKey(secrets, { ...record, alg: "EdDSA" })).toBeUndefined();
    expect(openPrivateKey(secrets, { ...record, alg: "RS256" })).toBeUndefined();
  });

  it("refuses a key no secret of the ring opens, and garbage", async () => {
    const material = await createKeyMaterial("EdDSA", "kid-1", secrets);
    const other = new SecretRing(["another-long-random-secret-for-tests"]);
    expect(
      openPrivateKey(other, { kid: "kid-1", alg: "EdDSA", privateKey: material.sealedPrivateKey }),
    ).toBeUndefined();
    expect(
      openPrivateKey(secrets, { kid: "kid-1", alg: "EdDSA", privateKey: "v1.x.y.z" }),
    ).toBeUndefined();
  });
});

describe("publicJwkOf", () => {
  it("keeps public members only, whatever the input holds", () => {
    const member = fc.constantFrom(
      "kty",
      "crv",
      "x",
      "y",
      "n",
      "e",
      "d",
      "p",
      "q",
      "dp",
      "dq",
      "qi",
      "k",
      "oth",
      "kid",
      "use",
      "key_ops",
    );
    fc.assert(
      fc.property(fc.dictionary(member, fc.oneof(fc.string(), fc.integer())), (jwk) => {
        const out = publicJwkOf(jwk, "kid-1", "ES256");
        for (const name of Object.keys(out)) expect(PUBLIC.has(name)).toBe(true);
        expect(out).toMatchObject({ kid: "kid-1", alg: "ES256", use: "sig" });
      }),
    );
  });
});

describe("createJwsSigner", () => {
  it("signs ES256 as raw r||s (64 bytes), verifiable with the public JWK", async () => {
    const material = await createKeyMaterial("ES256", "kid-1", secrets);
    const key = openPrivateKey(secrets, {
      kid: "kid-1",
      alg: "ES256",
      privateKey: material.sealedPrivateKey,
    })!;
    const token = createJwsSigner("ES256", "kid-1", key)({ sub: "u1" });
    const [header, payload, signature] = token.split(".") as [string, string, string];
    expect(JSON.parse(Buffer.from(header, "base64url").toString())).toEqual({
      alg: "ES256",
      kid: "kid-1",
      typ: "at+jwt",
    });
    const raw = Buffer.from(signature, "base64url");
    expect(raw).toHaveLength(64);
    const publicKey = createPublicKey({ key: { ...material.publicJwk }, format: "jwk" });
    const input = Buffer.from(`${header}.${payload}`);
    expect(verify("sha256", input, { key: publicKey, dsaEncoding: "ieee-p1363" }, raw)).toBe(true);
  });

  it("refuses claims that are not a JSON object", async () => {
    const material = await createKeyMaterial("EdDSA", "kid-1", secrets);
    const key = openPrivateKey(secrets, {
      kid: "kid-1",
      alg: "EdDSA",
      privateKey: material.sealedPrivateKey,
    })!;
    const sign = createJwsSigner("EdDSA", "kid-1", key);
    expect(() => sign([] as unknown as Record<string, unknown>)).toThrow(TypeError);
    expect(() => sign(null as unknown as Record<string, unknown>)).toThrow(TypeError);
  });
});
