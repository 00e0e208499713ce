import { createHmac, createSecretKey } from "node:crypto";
import { compactVerify, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { generateTestKeys, type TestKeyAlgorithm } from "./keys.js";
import { base64url, signRawJwt } from "./raw.js";

// RFC 7515, Appendix A.1: the HS256 example, byte for byte (its header contains CRLF).
const A1 = {
  headerSegment: "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
  payloadSegment:
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
  k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
  signature: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
};

describe("base64url", () => {
  it("matches RFC 7515 vectors, without padding", () => {
    expect(base64url('{"typ":"JWT",\r\n "alg":"HS256"}')).toBe(A1.headerSegment);
    expect(base64url('{"alg":"none"}')).toBe("eyJhbGciOiJub25lIn0"); // RFC 7515 A.5
    expect(base64url(new Uint8Array([3, 236, 255, 224, 193]))).toBe("A-z_4ME"); // RFC 7515 C
    expect(base64url("")).toBe("");
  });
});

describe("signRawJwt", () => {
  it("reproduces the RFC 7515 A.1 HS256 JWS from verbatim segments", () => {
    const token = signRawJwt({
      headerSegment: A1.headerSegment,
      payloadSegment: A1.payloadSegment,
      key: Buffer.from(A1.k, "base64url"),
      alg: "HS256",
    });
    expect(token).toBe(`${A1.headerSegment}.${A1.payloadSegment}.${A1.signature}`);
  });

  it("takes the algorithm from header.alg by default", () => {
    const secret = createSecretKey(Buffer.from(A1.k, "base64url"));
    const token = signRawJwt({ header: { alg: "HS256" }, payload: { sub: "u" }, key: secret });
    const [h, p, s] = token.split(".");
    expect(h).toBe(base64url('{"alg":"HS256"}'));
    expect(p).toBe(base64url('{"sub":"u"}'));
    expect(s).toBe(createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url"));
  });

  it.each<TestKeyAlgorithm>(["RS256", "RS512", "PS256", "ES256", "ES384", "EdDSA"])(
    "%s signatures verify with jose",
    async (alg) => {
      const keys = generateTestKeys({ alg });
      const token = signRawJwt({
        header: { alg, kid: keys.kid },
        payload: { sub: "u" },
        key: keys.privateKey,
      });
      const { payload } = await jwtVerify(token, keys.publicKey);
      expect(payload).toEqual({ sub: "u" });
      // A PEM private key works too.
      const fromPem = signRawJwt({
        header: { alg },
        payload: { sub: "u" },
        key: keys.privateKeyPem,
      });
      await expect(jwtVerify(fromPem, keys.publicKey)).resolves.toBeTruthy();
    },
  );

  it("uses IEEE P1363 (R || S) for ECDSA, as JWS requires", () => {
    const keys = generateTestKeys({ alg: "ES256" });
    const token = signRawJwt({ header: { alg: "ES256" }, payload: {}, key: keys.privateKey });
    expect(Buffer.from(token.split(".")[2]!, "base64url")).toHaveLength(64);
  });

  it("forges alg none with an empty signature", () => {
    const token = signRawJwt({ header: { alg: "none" }, payload: { sub: "admin" } });
    expect(token).toBe(`${base64url('{"alg":"none"}')}.${base64url('{"sub":"admin"}')}.`);
    expect(decodeJwt(token)).toEqual({ sub: "admin" });
  });

  it("forges the RS256→HS256 confusion token that a strict verifier rejects", async () => {
    const keys = generateTestKeys();
    const token = signRawJwt({
      header: { alg: "HS256", kid: keys.kid },
      payload: { sub: "attacker" },
      key: keys.publicKeyPem,
    });
    const [h, p, s] = token.split(".");
    expect(s).toBe(createHmac("sha256", keys.publicKeyPem).update(`${h}.${p}`).digest("base64url"));
    await expect(
      jwtVerify(token, keys.publicKey, { algorithms: ["RS256"] }),
    ).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed);
  });

  it("signs with an alg other than the header claims", async () => {
    const keys = generateTestKeys({ alg: "PS256" });
    const token = signRawJwt({
      header: { alg: "RS256" },
      payload: {},
      key: keys.privateKey,
      alg: "PS256",
    });
    expect(decodeProtectedHeader(token).alg).toBe("RS256");
    await expect(jwtVerify(token, keys.publicKey)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  it("keeps hostile segments verbatim: duplicate members, BOM, padding", async () => {
    const keys = generateTestKeys({ alg: "ES256" });
    const headerSegment = base64url('\uFEFF{"alg":"ES256","alg":"none"}');
    const payloadSegment = `${base64url('{"sub":"a","sub":"b"}')}==`;
    const token = signRawJwt({ headerSegment, payloadSegment, key: keys.privateKey, alg: "ES256" });
    expect(token.startsWith(`${headerSegment}.${payloadSegment}.`)).toBe(true);
    // The signature is genuine over the exact bytes, so only parsing can reject it.
    const plain = signRawJwt({
      headerSegment: base64url('{"alg":"ES256","alg":"ES256"}'),
      payloadSegment: base64url('{"sub":"a","sub":"b"}'),
      key: keys.privateKey,
      alg: "ES256",
    });
    const { payload } = await compactVerify(plain, keys.publicKey);
    expect(new TextDecoder().decode(payload)).toBe('{"sub":"a","sub":"b"}');
  });

  it("serialises any JSON value as payload", () => {
    const token = signRawJwt({ header: { alg: "none" }, payload: ["not", "an", "object"] });
    expect(token.split(".")[1]).toBe(base64url('["not","an","object"]'));
  });

  it("rejects missing parts, missing key and unknown algorithms", () => {
    const keys = generateTestKeys({ alg: "ES256" });
    expect(() => signRawJwt({ payload: {}, alg: "none" })).toThrow(TypeError);
    expect(() => signRawJwt({ header: { alg: "none" } })).toThrow(TypeError);
    expect(() => signRawJwt({ header: {}, payload: {} })).toThrow(TypeError);
    expect(() => signRawJwt({ header: { alg: "RS256" }, payload: {} })).toThrow(TypeError);
    expect(() =>
      signRawJwt({ header: { alg: "XS256" }, payload: {}, key: keys.privateKey }),
    ).toThrow(TypeError);
    expect(() =>
      signRawJwt({ header: { alg: "ES999" }, payload: {}, key: keys.privateKey }),
    ).toThrow(TypeError);
    expect(() =>
      signRawJwt({ header: { alg: "ES256" }, payload: {}, key: new Uint8Array(8) }),
    ).toThrow(TypeError);
  });
});
