import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolveKey, signBytes, signedBytes, verifyBytes } from "./sign.js";

const hex = (h: string) => Buffer.from(h, "hex");
const b64u = (h: string) => hex(h).toString("base64url");

describe("checkpoint signatures (spec vectors)", () => {
  it("Ed25519: RFC 8032 §7.1 TEST 1", () => {
    const seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const pub = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const signature =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    const jwk = { kty: "OKP", crv: "Ed25519", d: b64u(seed), x: b64u(pub) };
    const privateKey = resolveKey("t", createPrivateKey({ key: jwk, format: "jwk" }));
    const publicKey = resolveKey("t", createPublicKey({ key: jwk, format: "jwk" }));
    expect(signBytes("t", privateKey, Buffer.alloc(0))).toBe(b64u(signature));
    expect(verifyBytes(publicKey, "ed25519", Buffer.alloc(0), b64u(signature))).toBe(true);
    expect(verifyBytes(privateKey, "ed25519", Buffer.alloc(0), b64u(signature))).toBe(true);
    const flipped = b64u(`${signature.slice(0, -1)}a`);
    expect(verifyBytes(publicKey, "ed25519", Buffer.alloc(0), flipped)).toBe(false);
    expect(verifyBytes(publicKey, "ed25519", Buffer.alloc(0), "AAAA")).toBe(false);
  });

  it("HMAC-SHA256: RFC 4231 §4.7 test case 6", () => {
    const key = resolveKey("t", Buffer.alloc(131, 0xaa));
    const data = Buffer.from("Test Using Larger Than Block-Size Key - Hash Key First");
    const mac = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    expect(signBytes("t", key, data)).toBe(b64u(mac));
    expect(verifyBytes(key, "hmac-sha256", data, b64u(mac))).toBe(true);
    expect(verifyBytes(key, "ed25519", data, b64u(mac))).toBe(false);
    expect(verifyBytes(key, "hmac-sha256", data, b64u(mac).slice(0, -2))).toBe(false);
  });

  it("signs every field of a checkpoint, and the algorithm", () => {
    const base = { stream: "s", seq: 3, hash: "h", signedAt: 1 };
    const bytes = signedBytes("ed25519", base).toString();
    expect(JSON.parse(bytes)).toEqual(["gatehouse.audit.checkpoint/1", "ed25519", "s", 3, "h", 1]);
    expect(signedBytes("hmac-sha256", base).equals(signedBytes("ed25519", base))).toBe(false);
  });
});
