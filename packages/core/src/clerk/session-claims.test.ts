import { buildClerkClaims } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { clerkSessionFields, expandFeaturePermissions } from "./session-claims.js";

const ISS = "https://clerk.test.local";
const base = { iss: ISS, sub: "user_1", exp: 2_000_000_000, sid: "sess_1" };
const fields = (claims: Record<string, unknown>) =>
  clerkSessionFields({ ...base, ...claims }, "user_1");

describe("clerkSessionFields: v1 tokens", () => {
  it("maps org_id, org_role, org_slug and org_permissions", () => {
    const f = fields({
      org_id: "org_1",
      org_role: "org:admin",
      org_slug: "acme",
      org_permissions: ["org:invoices:read", "org:reports:read"],
    });
    expect(f).toMatchObject({
      userId: "user_1",
      sessionId: "sess_1",
      orgId: "org_1",
      orgRole: "org:admin",
      orgSlug: "acme",
      orgPermissions: ["org:invoices:read", "org:reports:read"],
      tokenType: "session_token",
      issuer: ISS,
    });
    expect(Object.isFrozen(f.orgPermissions)).toBe(true);
  });

  it("has no org facts without org_id, even if other org claims are present", () => {
    const f = fields({ org_role: "org:admin", org_permissions: ["org:a:b"] });
    expect(f.orgId).toBeNull();
    expect(f.orgPermissions).toBeNull();
  });

  it("gives an empty permission list to an org member without org_permissions", () => {
    expect(fields({ org_id: "org_1", org_role: "org:member" }).orgPermissions).toEqual([]);
    expect(fields({ org_id: "org_1", org_permissions: "org:a:b" }).orgPermissions).toEqual([]);
  });

  it("drops non-string permissions and maps wrong-typed claims to null", () => {
    const f = fields({ org_id: "org_1", org_permissions: ["org:a:b", 7, null, { x: 1 }] });
    expect(f.orgPermissions).toEqual(["org:a:b"]);
    const bad = fields({ org_id: 1, org_role: true, org_slug: "", sid: 5, fea: 3, pla: [] });
    expect(bad).toMatchObject({
      orgId: null,
      orgRole: null,
      orgSlug: null,
      orgPermissions: null,
      sessionId: null,
      features: null,
      plans: null,
    });
  });

  it("ignores the v2 o claim on a v1 token", () => {
    expect(fields({ o: { id: "org_2", rol: "admin" } }).orgId).toBeNull();
    expect(fields({ v: "2", o: { id: "org_2", rol: "admin" } }).orgId).toBeNull();
  });
});

describe("clerkSessionFields: v2 tokens", () => {
  it("maps o.id, o.slg and o.rol (with the org: prefix added)", () => {
    const f = fields({ v: 2, o: { id: "org_1", slg: "acme", rol: "admin" } });
    expect(f).toMatchObject({
      orgId: "org_1",
      orgSlug: "acme",
      orgRole: "org:admin",
      orgPermissions: [],
    });
  });

  it("expands fpm over the org-scoped fea entries, feature by feature, LSB first", () => {
    const f = fields({
      v: 2,
      fea: "u:beta,o:invoices,o:reports,ou:sso",
      o: { id: "org_1", rol: "admin", per: "read,manage,delete", fpm: "5,2,7" },
    });
    // invoices 5 = 0b101 → read, delete; reports 2 = 0b010 → manage; sso 7 → all three.
    expect(f.orgPermissions).toEqual([
      "org:invoices:read",
      "org:invoices:delete",
      "org:reports:manage",
      "org:sso:read",
      "org:sso:manage",
      "org:sso:delete",
    ]);
    expect(f.features).toBe("u:beta,o:invoices,o:reports,ou:sso");
  });

  it("agrees with the claims @gatehouse/testing encodes the way Clerk does", () => {
    const permissions = [
      "org:invoices:read",
      "org:invoices:manage",
      "org:reports:read",
      "org:sys_memberships:manage",
    ];
    const claims = buildClerkClaims({
      org: { id: "org_1", slug: "acme", role: "org:admin", permissions },
      features: ["u:beta", "o:empty"],
    });
    const f = clerkSessionFields(claims, "user_test");
    expect([...(f.orgPermissions ?? [])].sort()).toEqual([...permissions].sort());
    expect(f).toMatchObject({ orgId: "org_1", orgSlug: "acme", orgRole: "org:admin" });
  });

  it("decodes bitmasks wider than 2^53 exactly (BigInt, not Number)", () => {
    const per = Array.from({ length: 64 }, (_, i) => `p${i}`).join(",");
    const mask = (2n ** 63n + 2n ** 60n + 1n).toString();
    expect(Number(mask).toString()).not.toBe(mask); // a Number would round it
    expect(expandFeaturePermissions("o:wide", per, mask)).toEqual([
      "org:wide:p0",
      "org:wide:p60",
      "org:wide:p63",
    ]);
  });

  it("ignores bits beyond the per list", () => {
    expect(expandFeaturePermissions("o:f", "read", "3")).toEqual(["org:f:read"]);
  });

  it("skips malformed fpm entries and keeps positions aligned", () => {
    expect(expandFeaturePermissions("o:a,o:b,o:c,o:d", "read,write", "x,-1,1.5, 3 ")).toEqual([
      "org:d:read",
      "org:d:write",
    ]);
    expect(expandFeaturePermissions("o:a,o:b", "read", "1")).toEqual(["org:a:read"]);
    expect(expandFeaturePermissions("o:a", "read", "")).toEqual([]);
    expect(expandFeaturePermissions("o:a", "", "1")).toEqual([]);
    expect(expandFeaturePermissions("garbage,o:a", "read", "1")).toEqual(["org:a:read"]);
  });

  it("grants no org permission to user-scoped features", () => {
    expect(expandFeaturePermissions("u:beta,o:a", "read,write", "1,2")).toEqual(["org:a:read"]);
    expect(expandFeaturePermissions("u:beta", "read", "1")).toEqual([]);
  });

  it("is empty when fea, per or fpm is missing or not a string", () => {
    for (const o of [
      { id: "org_1", rol: "admin", fpm: "1" },
      { id: "org_1", rol: "admin", per: "read" },
      { id: "org_1", rol: "admin", per: ["read"], fpm: "1" },
      { id: "org_1", rol: "admin", per: "read", fpm: 1 },
    ]) {
      expect(fields({ v: 2, fea: "o:a", o }).orgPermissions, JSON.stringify(o)).toEqual([]);
    }
    expect(
      fields({ v: 2, o: { id: "org_1", rol: "admin", per: "read", fpm: "1" } }).orgPermissions,
    ).toEqual([]);
  });

  it("has no org without o, or with a malformed o", () => {
    for (const o of [undefined, null, "org_1", { rol: "admin" }, { id: 5 }]) {
      const f = fields({ v: 2, fea: "o:a", o });
      expect(f.orgId, JSON.stringify(o)).toBeNull();
      expect(f.orgPermissions).toBeNull();
    }
  });

  // Bug: the memo in orgPermissionsOf() keys on `${fea}|${per}|${fpm}`, which is not
  // injective: two different claim sets that join to the same string share an entry.
  it("does not confuse two claim sets whose memo keys collide", () => {
    const a = fields({
      v: 2,
      fea: "o:f|read",
      o: { id: "org_1", rol: "admin", per: "write", fpm: "1" },
    });
    const b = fields({
      v: 2,
      fea: "o:f",
      o: { id: "org_1", rol: "admin", per: "read|write", fpm: "1" },
    });
    expect(a.orgPermissions).toEqual(expandFeaturePermissions("o:f|read", "write", "1"));
    expect(b.orgPermissions).toEqual(expandFeaturePermissions("o:f", "read|write", "1"));
  });
});

describe("clerkSessionFields: session facts", () => {
  it.each([
    [
      [0, -1],
      [0, -1],
    ],
    [
      [5, 20],
      [5, 20],
    ],
    [
      [-1, -1],
      [-1, -1],
    ],
    [[1], null],
    [[1, 2, 3], null],
    [["1", 2], null],
    [[-2, 0], null],
    [[0, null], null],
    ["0,-1", null],
    [null, null],
    [undefined, null],
  ])("parses fva %j as %j", (fva, expected) => {
    expect(fields({ fva }).factorVerificationAge).toEqual(expected);
  });

  it("parses act only when it is an object with a string sub", () => {
    expect(fields({ act: { sub: "user_admin", iss: ISS } }).actor).toEqual({
      sub: "user_admin",
      iss: ISS,
    });
    for (const act of [{}, { sub: 1 }, "user_admin", null, ["user_admin"]]) {
      expect(fields({ act }).actor, JSON.stringify(act)).toBeNull();
    }
  });

  it("parses sts as active, pending or null", () => {
    expect(fields({ sts: "active" }).sessionStatus).toBe("active");
    expect(fields({ sts: "pending" }).sessionStatus).toBe("pending");
    expect(fields({ sts: "revoked" }).sessionStatus).toBeNull();
    expect(fields({ sts: 1 }).sessionStatus).toBeNull();
    expect(fields({}).sessionStatus).toBeNull();
  });

  it("keeps fea and pla as the raw strings has() reads", () => {
    const f = fields({ fea: "o:export,u:beta", pla: "u:free" });
    expect(f.features).toBe("o:export,u:beta");
    expect(f.plans).toBe("u:free");
  });

  it("deep-freezes the claims it returns", () => {
    const f = fields({ v: 2, o: { id: "org_1", rol: "admin" }, custom: { nested: [1, { x: 1 }] } });
    const custom = f.claims.custom as { nested: [number, { x: number }] };
    expect(Object.isFrozen(f.claims)).toBe(true);
    expect(Object.isFrozen(custom.nested[1])).toBe(true);
    expect(Object.isFrozen(f.claims.o)).toBe(true);
  });
});
