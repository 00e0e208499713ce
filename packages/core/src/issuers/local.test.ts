import { createFakeClock, generateTestKeys, mintToken } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { isGatehouseError } from "../errors.js";
import { createVerifier } from "../verifier.js";
import type { RevocationCheck } from "./issuer.js";
import { local } from "./local.js";

const ISS = "https://app.example.test";
const keys = generateTestKeys({ alg: "ES256", kid: "k1" });
const rotated = generateTestKeys({ alg: "ES256", kid: "k2" });

const at = { header: { typ: "at+jwt" } };
const req = (token: string, cookie = false) => ({
  headers: cookie ? { cookie: `__session=${token}` } : { authorization: `Bearer ${token}` },
});

describe("local()", () => {
  it("accepts its own at+jwt tokens and decodes them like Clerk session tokens", async () => {
    const clock = createFakeClock();
    const verifier = createVerifier({ issuers: [local({ issuer: ISS, jwks: keys.jwks })], clock });
    const token = await mintToken(
      keys,
      { iss: ISS, sub: "user_1", sid: "sess_1", org_id: "org_1", org_role: "org:admin" },
      { clock, ...at },
    );
    const auth = await verifier.verify(token);
    expect(auth).toMatchObject({
      userId: "user_1",
      sessionId: "sess_1",
      orgId: "org_1",
      orgRole: "org:admin",
      tokenType: "session_token",
      issuer: ISS,
    });
  });

  it("refuses tokens without typ at+jwt, without sid, or from another issuer", async () => {
    const clock = createFakeClock();
    const verifier = createVerifier({ issuers: [local({ issuer: ISS, jwks: keys.jwks })], clock });
    const cases: Array<[Promise<string>, string]> = [
      [mintToken(keys, { iss: ISS, sub: "u", sid: "s" }, { clock }), "header_typ_invalid"],
      [
        mintToken(keys, { iss: ISS, sub: "u", sid: "s" }, { clock, header: {} as never }),
        "header_typ_invalid",
      ],
      [mintToken(keys, { iss: ISS, sub: "u" }, { clock, ...at }), "claim_invalid"],
      [mintToken(keys, { iss: ISS, sub: "u", sid: "" }, { clock, ...at }), "claim_invalid"],
      [mintToken(keys, { iss: `${ISS}/`, sub: "u", sid: "s" }, { clock, ...at }), "issuer_unknown"],
      [mintToken(rotated, { iss: ISS, sub: "u", sid: "s" }, { clock, ...at }), "kid_unknown"],
    ];
    for (const [minted, code] of cases) {
      const auth = await verifier.authenticate(req(await minted));
      expect(auth.reason).toBe(code);
    }
  });

  it("requires an authorized azp once authorizedParties are set, and for any cookie token", async () => {
    const clock = createFakeClock();
    const verifier = createVerifier({
      issuers: [local({ issuer: ISS, jwks: keys.jwks, authorizedParties: [ISS] })],
      clock,
    });
    const good = await mintToken(
      keys,
      { iss: ISS, sub: "u", sid: "s", azp: ISS },
      { clock, ...at },
    );
    const none = await mintToken(keys, { iss: ISS, sub: "u", sid: "s" }, { clock, ...at });
    expect((await verifier.authenticate(req(good, true))).reason).toBeNull();
    expect((await verifier.authenticate(req(none, true))).reason).toBe("azp_invalid");
    expect((await verifier.authenticate(req(none))).reason).toBe("azp_invalid");
    const open = createVerifier({ issuers: [local({ issuer: ISS, jwks: keys.jwks })], clock });
    expect((await open.authenticate(req(none))).reason).toBeNull();
    expect((await open.authenticate(req(good, true))).reason).toBe("azp_invalid");
  });

  it("loads keys through a loader and reloads once on an unknown kid", async () => {
    const clock = createFakeClock();
    let published = { keys: [keys.jwks.keys[0]] as unknown[] };
    let loads = 0;
    const verifier = createVerifier({
      issuers: [
        local({
          issuer: ISS,
          jwks: async () => {
            loads++;
            return published;
          },
        }),
      ],
      clock,
    });
    const first = await mintToken(keys, { iss: ISS, sub: "u", sid: "s" }, { clock, ...at });
    expect((await verifier.authenticate(req(first))).reason).toBeNull();
    published = { keys: [keys.jwks.keys[0], rotated.jwks.keys[0]] };
    clock.advance(5000); // past the reload cooldown
    const second = await mintToken(rotated, { iss: ISS, sub: "u", sid: "s" }, { clock, ...at });
    expect((await verifier.authenticate(req(second))).reason).toBeNull();
    expect(loads).toBe(2);
    // Made-up kids do not make it reload again within the cooldown.
    const forged = await mintToken(
      generateTestKeys({ alg: "ES256", kid: "k3" }),
      {
        iss: ISS,
        sub: "u",
        sid: "s",
      },
      { clock, ...at },
    );
    expect((await verifier.authenticate(req(forged))).reason).toBe("kid_unknown");
    expect(loads).toBe(2);
    clock.advance(5000);
    await Promise.all([1, 2, 3].map(() => verifier.authenticate(req(forged))));
    expect((await verifier.authenticate(req(forged))).reason).toBe("kid_unknown");
    expect(loads).toBe(3);
  });

  it("refuses a revoked session on every request, cached or not, sync or async", async () => {
    const clock = createFakeClock();
    const revoked = new Set<string>();
    let async = false;
    const revocations: RevocationCheck = {
      isRevoked: (_kind, id) => (async ? Promise.resolve(revoked.has(id)) : revoked.has(id)),
    };
    const verifier = createVerifier({
      issuers: [local({ issuer: ISS, jwks: keys.jwks, revocations })],
      clock,
    });
    const token = await mintToken(keys, { iss: ISS, sub: "u", sid: "sess_9" }, { clock, ...at });
    expect(verifier.authenticateSync(req(token))?.isSignedIn).toBe(true);
    revoked.add("sess_9");
    expect(verifier.authenticateSync(req(token))?.reason).toBe("session_revoked");
    async = true;
    expect(verifier.authenticateSync(req(token))).toBeUndefined();
    expect((await verifier.authenticate(req(token))).reason).toBe("session_revoked");
    revoked.delete("sess_9");
    expect((await verifier.authenticate(req(token))).isSignedIn).toBe(true);
  });

  it("answers 503 when revocation cannot be checked", async () => {
    const clock = createFakeClock();
    const { StoreUnavailableError } = await import("../errors.js");
    const verifier = createVerifier({
      issuers: [
        local({
          issuer: ISS,
          jwks: keys.jwks,
          revocations: { isRevoked: () => Promise.reject(new StoreUnavailableError("down")) },
        }),
      ],
      clock,
    });
    const token = await mintToken(keys, { iss: ISS, sub: "u", sid: "s" }, { clock, ...at });
    const err = await verifier.authenticate(req(token)).catch((e: unknown) => e);
    expect(isGatehouseError(err) && err.code).toBe("store_unavailable");
  });

  it("validates its options", () => {
    expect(() => local({ issuer: "", jwks: keys.jwks })).toThrow(/issuer/);
    expect(() => local({ issuer: ISS, jwks: { keys: [] } })).toThrow(/no usable/);
    expect(() => local({ issuer: ISS, jwks: keys.jwks, revocations: {} as never })).toThrow(
      /revocations/,
    );
  });
});
