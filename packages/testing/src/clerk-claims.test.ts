import { verifyToken } from "@clerk/backend";
import { __experimental_JWTPayloadToAuthObjectProperties as toAuthObject } from "@clerk/shared/jwtPayloadParser";
import type { JwtPayload } from "@clerk/shared/types";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { buildClerkClaims, type ClerkTokenOptions } from "./clerk-claims.js";
import { createFakeClock, nowSec } from "./clock.js";
import { generateTestKeys } from "./keys.js";
import { mintClerkToken } from "./mint-clerk.js";

const keys = generateTestKeys();
const clock = createFakeClock();
const iat = nowSec(clock);

const ORG = {
  id: "org_1",
  slug: "acme",
  role: "org:admin",
  permissions: [
    "org:invoices:read",
    "org:invoices:manage",
    "org:reports:read",
    "org:sys_memberships:manage",
  ],
};

/** Decode a minted token's payload the way Clerk's SDKs do. */
async function clerkView(options: ClerkTokenOptions) {
  const payload = decodeJwt(await mintClerkToken(keys, options));
  return toAuthObject(payload as unknown as JwtPayload);
}

describe("buildClerkClaims", () => {
  it("encodes a signed-out-of-org v2 session with Clerk's defaults", () => {
    expect(buildClerkClaims({ clock })).toStrictEqual({
      azp: "http://localhost:3000",
      exp: iat + 60,
      fva: [0, -1],
      iat,
      iss: "https://clerk.test.local",
      nbf: iat - 10,
      sid: "sess_test",
      sub: "user_test",
      v: 2,
    });
  });

  it("encodes a v1 org as org_* claims, verbatim", () => {
    const claims = buildClerkClaims({
      clock,
      version: 1,
      org: ORG,
      features: ["u:beta"],
      sts: "pending",
    });
    expect(claims).toStrictEqual({
      azp: "http://localhost:3000",
      exp: iat + 60,
      fva: [0, -1],
      iat,
      iss: "https://clerk.test.local",
      nbf: iat - 10,
      org_id: "org_1",
      org_permissions: ORG.permissions,
      org_role: "org:admin",
      org_slug: "acme",
      sid: "sess_test",
      sub: "user_test",
    });
  });

  it("encodes a v2 org as o.per/o.fpm bitmasks over the org-scoped fea entries", () => {
    const claims = buildClerkClaims({
      clock,
      org: ORG,
      features: ["u:beta", "o:invoices"],
      plans: ["u:free", "o:pro"],
      sts: "active",
    });
    expect(claims.v).toBe(2);
    // invoices: read|manage = 0b11; reports: read = 0b01; sys_memberships: manage = 0b10.
    expect(claims.o).toStrictEqual({
      fpm: "3,1,2",
      id: "org_1",
      per: "read,manage",
      rol: "admin",
      slg: "acme",
    });
    expect(claims.fea).toBe("u:beta,o:invoices,o:reports,o:sys_memberships");
    expect(claims.pla).toBe("u:free,o:pro");
    expect(claims.sts).toBe("active");
    expect(claims).not.toHaveProperty("org_id");
    expect(Object.keys(claims)).toEqual([...Object.keys(claims)].sort());
  });

  it("omits o, fea, pla, per and fpm when empty", () => {
    const noOrg = buildClerkClaims({ clock });
    expect(noOrg).not.toHaveProperty("o");
    expect(noOrg).not.toHaveProperty("fea");
    expect(noOrg).not.toHaveProperty("pla");
    expect(noOrg).not.toHaveProperty("sts");
    const bare = buildClerkClaims({ clock, org: { id: "org_2", role: "member" } });
    expect(bare.o).toStrictEqual({ id: "org_2", rol: "member" });
    expect(bare).not.toHaveProperty("fea");
  });

  it("does not duplicate an org feature already given with an ou: scope", () => {
    const claims = buildClerkClaims({
      clock,
      org: { id: "org_1", role: "org:admin", permissions: ["org:invoices:read"] },
      features: ["o:empty", "ou:invoices", "o:empty"],
    });
    expect(claims.fea).toBe("o:empty,ou:invoices");
    expect(claims.o).toMatchObject({ per: "read", fpm: "0,1" });
  });

  it("adds fva, act and custom claims; custom claims override and undefined removes", () => {
    const claims = buildClerkClaims({
      clock,
      fva: [5, 2],
      act: { sub: "user_admin", iss: "https://clerk.test.local" },
      claims: { email: "a@example.test", azp: undefined, iss: "https://other.test" },
      expiresInSec: 120,
    });
    expect(claims).toMatchObject({
      fva: [5, 2],
      act: { sub: "user_admin" },
      email: "a@example.test",
      iss: "https://other.test",
      exp: iat + 120,
    });
    expect(JSON.parse(JSON.stringify(claims))).not.toHaveProperty("azp");
  });

  it("rejects malformed options", () => {
    const bad: ClerkTokenOptions[] = [
      { org: { id: "org_1", role: "org:admin", permissions: ["invoices:read"] } },
      { org: { id: "org_1", role: "org:admin", permissions: ["org:a,b:read"] } },
      { org: { id: "", role: "org:admin" } },
      { org: { id: "org_1", role: "org:" } },
      { features: ["beta"] },
      { features: ["x:beta"] },
      { plans: ["free"] },
      { fva: [0] as unknown as [number, number] },
      { fva: [0, -2] },
      { version: 3 as 2 },
      { sts: "revoked" as "active" },
      { act: {} as { sub: string } },
      { userId: "" },
    ];
    for (const options of bad)
      expect(() => buildClerkClaims(options), JSON.stringify(options)).toThrow(TypeError);
  });
});

describe("Clerk's own decoder reads what mintClerkToken writes", () => {
  it("round-trips v2 org permissions, role, slug, fva, actor and status", async () => {
    const auth = await clerkView({
      userId: "user_42",
      sessionId: "sess_42",
      org: ORG,
      features: ["u:beta", "o:invoices"],
      fva: [3, 1],
      act: { sub: "user_admin" },
      sts: "pending",
    });
    expect(auth).toMatchObject({
      userId: "user_42",
      sessionId: "sess_42",
      orgId: "org_1",
      orgSlug: "acme",
      orgRole: "org:admin",
      orgPermissions: ORG.permissions,
      factorVerificationAge: [3, 1],
      actor: { sub: "user_admin" },
      sessionStatus: "pending",
    });
  });

  it("round-trips v1 org claims", async () => {
    const auth = await clerkView({ version: 1, org: ORG });
    expect(auth).toMatchObject({ orgId: "org_1", orgSlug: "acme", orgRole: "org:admin" });
    expect(auth.orgPermissions).toEqual(ORG.permissions);
  });

  it("round-trips more than 31 distinct permissions (no 32-bit overflow in fpm)", async () => {
    const wide = Array.from({ length: 40 }, (_, i) => `org:wide:p${i}`);
    const permissions = [...wide, "org:narrow:p39", "org:narrow:p0"];
    const auth = await clerkView({ org: { id: "org_1", role: "org:admin", permissions } });
    // Clerk lists a feature's permissions in `per` order: p0 before p39.
    expect(auth.orgPermissions).toEqual([...wide, "org:narrow:p0", "org:narrow:p39"]);
    const o = buildClerkClaims({ org: { id: "org_1", role: "org:admin", permissions } }).o as {
      fpm: string;
    };
    expect(o.fpm).toBe(`${2 ** 40 - 1},${2 ** 39 + 1}`);
  });

  it("round-trips a permission set whose features are listed out of order in features", async () => {
    const permissions = ["org:b:write", "org:a:read", "org:b:read"];
    const auth = await clerkView({
      org: { id: "org_1", role: "org:x", permissions },
      features: ["o:a"],
    });
    expect([...(auth.orgPermissions ?? [])].sort()).toEqual([...permissions].sort());
  });
});

describe("@clerk/backend verifyToken accepts minted tokens networklessly", () => {
  const authorizedParties = ["http://localhost:3000"];

  it.each([1, 2] as const)("v%i", async (version) => {
    const token = await mintClerkToken(keys, { version, org: ORG, userId: "user_9" });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "RS256", kid: keys.kid, typ: "JWT" });
    // The public `verifyToken` resolves to the payload and throws a TokenVerificationError.
    const payload = await verifyToken(token, { jwtKey: keys.publicKeyPem, authorizedParties });
    expect(payload).toMatchObject({
      sub: "user_9",
      sid: "sess_test",
      azp: "http://localhost:3000",
    });
    expect(toAuthObject(payload).orgPermissions).toEqual(ORG.permissions);
  });

  it("and Clerk rejects one signed by another key or for another azp", async () => {
    const other = generateTestKeys();
    const forged = await mintClerkToken(other, {});
    await expect(
      verifyToken(forged, { jwtKey: keys.publicKeyPem, authorizedParties }),
    ).rejects.toMatchObject({ reason: "token-invalid-signature" });
    const elsewhere = await mintClerkToken(keys, { azp: "https://evil.test" });
    await expect(
      verifyToken(elsewhere, { jwtKey: keys.publicKeyPem, authorizedParties }),
    ).rejects.toMatchObject({ reason: "token-invalid-authorized-parties" });
  });

  it("the same token verifies with jose against keys.publicKey", async () => {
    const token = await mintClerkToken(keys, { clock, header: { cat: "cl_B7d4PD111AAA" } });
    expect(decodeProtectedHeader(token)).toMatchObject({ cat: "cl_B7d4PD111AAA" });
    const { payload } = await jwtVerify(token, keys.publicKey, {
      currentDate: new Date(clock.now()),
    });
    expect(payload.nbf).toBe(iat - 10);
  });
});
