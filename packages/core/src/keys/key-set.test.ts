import { generateTestKeys } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { importJwks, importPem, KeySet, type VerificationKey } from "./key-set.js";

const rsa = generateTestKeys({ kid: "rsa" });
const es = generateTestKeys({ alg: "ES256", kid: "es" });
const ed = generateTestKeys({ alg: "EdDSA", kid: "ed" });

const kids = (keys: readonly VerificationKey[]) => keys.map((k) => k.kid);

describe("importJwks", () => {
  it("imports RSA, EC and OKP signature keys with their kid and alg", () => {
    const keys = importJwks({ keys: [rsa.publicJwk, es.publicJwk, ed.publicJwk] });
    expect(keys.map((k) => [k.kid, k.alg, k.key.asymmetricKeyType])).toEqual([
      ["rsa", "RS256", "rsa"],
      ["es", "ES256", "ec"],
      ["ed", "EdDSA", "ed25519"],
    ]);
    for (const k of keys) {
      expect(k.key.type).toBe("public");
      expect(Object.isFrozen(k)).toBe(true);
    }
  });

  it("imports only the public half of a JWK that carries private members", () => {
    const privateJwk = { ...rsa.privateKey.export({ format: "jwk" }), kid: "leaked" };
    expect(privateJwk).toHaveProperty("d");
    const [key] = importJwks({ keys: [privateJwk] });
    expect(key?.key.type).toBe("public");
  });

  it.each([
    ["use: enc", { ...rsa.publicJwk, use: "enc" }],
    ["key_ops without verify", { ...rsa.publicJwk, key_ops: ["sign", "encrypt"] }],
    ["key_ops that is not an array", { ...rsa.publicJwk, key_ops: "verify" }],
    ["a symmetric oct key", { kty: "oct", kid: "hmac", k: "c2VjcmV0" }],
    ["an unknown kty", { ...rsa.publicJwk, kty: "XYZ" }],
    ["a non-string kid", { ...rsa.publicJwk, kid: 7 }],
    ["an HMAC alg", { ...rsa.publicJwk, alg: "HS256" }],
    ["alg none", { ...rsa.publicJwk, alg: "none" }],
    ["an alg that does not fit the key", { ...rsa.publicJwk, alg: "ES256" }],
    ["broken key material", { ...rsa.publicJwk, n: "AQAB" }],
    ["an EC point not on the curve", { ...es.publicJwk, x: es.publicJwk.y }],
    ["an RSA key under 2048 bits", generateTestKeys({ modulusLength: 1024 }).publicJwk],
    ["null", null],
    ["a string", "key"],
  ])("skips %s", (_name, jwk) => {
    expect(importJwks({ keys: [jwk, es.publicJwk] }).map((k) => k.kid)).toEqual(["es"]);
  });

  it("returns no key for documents that are not a JWKS", () => {
    for (const doc of [null, "x", {}, { keys: "x" }, { keys: {} }, []]) {
      expect(importJwks(doc), JSON.stringify(doc)).toEqual([]);
    }
  });
});

describe("KeySet.candidates", () => {
  const set = new KeySet(importJwks({ keys: [rsa.publicJwk, es.publicJwk, ed.publicJwk] }));

  it("selects the key of the token's kid, when it fits the algorithm", () => {
    expect(kids(set.candidates("es", "ES256"))).toEqual(["es"]);
    expect(kids(set.candidates("ed", "EdDSA"))).toEqual(["ed"]);
    expect(set.hasKid("rsa")).toBe(true);
    expect(set.hasKid("nope")).toBe(false);
  });

  it("binds a key to its declared alg: an RS256 key is not used for PS256", () => {
    expect(set.candidates("rsa", "RS256")).toHaveLength(1);
    expect(set.candidates("rsa", "PS256")).toEqual([]);
    expect(set.candidates("rsa", "ES256")).toEqual([]);
  });

  it("lets a key without alg serve every algorithm of its type", () => {
    const { alg: _alg, ...bare } = rsa.publicJwk;
    const free = new KeySet(importJwks({ keys: [bare] }));
    expect(free.candidates("rsa", "RS256")).toHaveLength(1);
    expect(free.candidates("rsa", "PS512")).toHaveLength(1);
    expect(free.candidates("rsa", "ES256")).toEqual([]);
  });

  it("refuses an RSA key under 2048 bits for every algorithm, even without alg", () => {
    const { alg: _alg, ...weak } = generateTestKeys({ modulusLength: 1024, kid: "weak" }).publicJwk;
    const weakSet = new KeySet(importJwks({ keys: [weak] }));
    for (const alg of ["RS256", "RS512", "PS256"] as const) {
      expect(weakSet.candidates("weak", alg)).toEqual([]);
    }
  });

  it("gives an unknown kid no key when every key has a kid", () => {
    expect(set.candidates("other", "ES256")).toEqual([]);
    expect(set.candidates(undefined, "ES256")).toEqual([]);
  });

  it("offers the kid-less (PEM) keys that fit the algorithm to any kid", () => {
    const pemSet = new KeySet([
      importPem(rsa.publicKeyPem) as VerificationKey,
      importPem(es.publicKeyPem) as VerificationKey,
    ]);
    expect(pemSet.candidates("ins_anything", "RS256")).toHaveLength(1);
    expect(pemSet.candidates(undefined, "RS256")).toHaveLength(1);
    expect(pemSet.candidates(undefined, "ES256")[0]?.key.asymmetricKeyType).toBe("ec");
    expect(pemSet.candidates(undefined, "EdDSA")).toEqual([]);
  });

  // RFC 7517 §4.5 allows one kid for keys of different kty ("equivalent alternatives"); the
  // set keeps only the first key of a kid, so an ES256 token finds no key in such a JWKS.
  it("finds the key of the right type when two keys share a kid (RFC 7517 §4.5)", () => {
    const shared = new KeySet(
      importJwks({
        keys: [
          { ...rsa.publicJwk, kid: "shared" },
          { ...es.publicJwk, kid: "shared" },
        ],
      }),
    );
    expect(shared.candidates("shared", "RS256")).toHaveLength(1);
    expect(shared.candidates("shared", "ES256")[0]?.key.asymmetricKeyType).toBe("ec");
  });
});

describe("importPem", () => {
  const body = rsa.publicKeyPem
    .replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "")
    .replace(/\s+/g, "");

  it.each([
    ["an SPKI PEM", rsa.publicKeyPem],
    ["a PEM with literal \\n escapes", rsa.publicKeyPem.replace(/\n/g, "\\n")],
    ["a PEM with CRLF line ends", rsa.publicKeyPem.replace(/\n/g, "\r\n")],
    ["a PEM with surrounding whitespace", `\n  ${rsa.publicKeyPem}  \n`],
    ["the bare base64 body", body],
    ["the bare body split over lines", body.replace(/.{1,40}/g, "$&\n")],
  ])("imports %s", (_name, pem) => {
    const key = importPem(pem);
    if (typeof key === "string") throw new Error(key);
    expect(key.key.equals(rsa.publicKey)).toBe(true);
    expect(key.kid).toBeUndefined();
  });

  it("refuses a private key, in any PEM form, without echoing it", () => {
    for (const pem of [
      rsa.privateKeyPem,
      rsa.privateKeyPem.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
      rsa.privateKeyPem.replace(/\n/g, "\\n"),
    ]) {
      const result = importPem(pem);
      expect(result).toBe("is a private key; pass the public key (PEM) instead");
    }
  });

  it("refuses the bare base64 body of a private key", () => {
    const privateBody = rsa.privateKeyPem
      .replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "")
      .replace(/\s+/g, "");
    const result = importPem(privateBody);
    expect(typeof result).toBe("string");
  });

  it.each([
    "",
    "not a key",
    "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
    "QUFBQQ",
  ])("refuses the unreadable %j", (pem) => {
    expect(importPem(pem)).toBe("is not a readable PEM public key");
  });
});
