import { type AuthContext, createEventBus, type EventEnvelope, signedOut } from "@gatehouse/core";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import { createAuthorizer } from "./authorizer.js";
import { createCustomRoles } from "./custom-roles.js";
import { createMemberships } from "./memberships.js";
import { defaultRoles, defineRoles } from "./roles.js";
import { clerkAuth, clock, selfAuth } from "./test-helpers.js";
import type { Requirement } from "./types.js";

const roles = defineRoles({
  roles: {
    ...defaultRoles(),
    "org:member": { permissions: ["org:sys_memberships:read", "org:invoices:read"] },
    "org:accountant": { permissions: ["org:invoices:*"], inherits: ["org:member"] },
  },
});

const perm = (...permissions: string[]): Requirement => ({ kind: "permission", permissions });

function setup() {
  const records = createMemoryRecordStore({ clock });
  const kv = createMemoryKeyValueStore({ clock });
  const events = createEventBus({ clock });
  const denied: EventEnvelope<"authz.denied">[] = [];
  events.on("authz.denied", (e) => {
    denied.push(e);
  });
  const memberships = createMemberships({ records });
  const customRoles = createCustomRoles({ records, kv, roles, clock });
  const authz = createAuthorizer({ roles, memberships, customRoles, events });
  return { authz, memberships, customRoles, denied };
}

const org1 = (role: string, permissions: string[] = [], version: 1 | 2 = 2) =>
  clerkAuth({ userId: "user_1", version, org: { id: "org_1", role, permissions } });

describe("createAuthorizer: Clerk tokens", () => {
  for (const version of [1, 2] as const) {
    it(`v${version}: grants what the token lists and what the role grants`, async () => {
      const { authz } = setup();
      const auth = await org1("org:member", ["org:reports:read"], version);
      expect(auth.orgId).toBe("org_1");
      expect(await authz.decide(auth, perm("org:reports:read"))).toMatchObject({
        allowed: true,
        reason: "allowed",
      });
      expect(await authz.decide(auth, perm("org:invoices:read"))).toMatchObject({ allowed: true }); // from the RoleSet
      expect(await authz.decide(auth, perm("org:invoices:write"))).toMatchObject({
        allowed: false,
        reason: "missing_permission",
        missing: ["org:invoices:write"],
        rule: "permission:org:invoices:write",
      });
      const accountant = await org1("accountant", [], version);
      expect(
        await authz.decide(accountant, perm("org:invoices:void", "org:invoices:read")),
      ).toMatchObject({ allowed: true });
    });
  }

  it("permission mode any/all", async () => {
    const { authz } = setup();
    const auth = await org1("org:member");
    const any: Requirement = {
      kind: "permission",
      permissions: ["org:x:y", "org:invoices:read"],
      mode: "any",
    };
    expect(await authz.decide(auth, any)).toMatchObject({ allowed: true });
    expect(await authz.decide(auth, { ...any, mode: "all" })).toMatchObject({
      allowed: false,
      missing: ["org:x:y"],
    });
    expect(await authz.decide(auth, { ...any, permissions: ["org:x:y", "org:x:z"] })).toMatchObject(
      {
        allowed: false,
        missing: ["org:x:y", "org:x:z"],
      },
    );
  });

  it("roles: hierarchy satisfies, unknown required role is unknown_role", async () => {
    const { authz } = setup();
    const owner = await org1("org:owner");
    expect(await authz.decide(owner, { kind: "role", role: "member" })).toMatchObject({
      allowed: true,
    });
    expect(await authz.decide(owner, { kind: "orgAdmin" })).toMatchObject({ allowed: true });
    const member = await org1("org:member");
    expect(await authz.decide(member, { kind: "role", role: "org:admin" })).toMatchObject({
      allowed: false,
      reason: "missing_role",
      missing: ["org:admin"],
    });
    expect(await authz.decide(member, { kind: "orgAdmin" })).toMatchObject({
      allowed: false,
      reason: "missing_role",
      missing: ["org:owner", "org:admin"],
    });
    expect(await authz.decide(member, { kind: "role", role: "org:ghost" })).toMatchObject({
      allowed: false,
      reason: "unknown_role",
    });
  });

  it("a token role unknown to the RoleSet grants only what the token lists, and never throws", async () => {
    const { authz } = setup();
    const auth = await org1("org:billing", ["org:invoices:pay"]);
    expect(await authz.decide(auth, perm("org:invoices:pay"))).toMatchObject({ allowed: true });
    expect(await authz.decide(auth, perm("org:invoices:read"))).toMatchObject({
      allowed: false,
      reason: "missing_permission",
    });
    expect(await authz.decide(auth, { kind: "role", role: "org:member" })).toMatchObject({
      allowed: false,
      reason: "missing_role",
    });
    expect(await authz.decide(auth, { kind: "role", role: "org:billing" })).toMatchObject({
      allowed: false,
      reason: "unknown_role",
    });
  });

  it("org and org_mismatch: a token from org A on a route for org B", async () => {
    const { authz, denied } = setup();
    const auth = await org1("org:owner");
    expect(await authz.decide(auth, { kind: "org" })).toMatchObject({ allowed: true });
    expect(await authz.decide(auth, { kind: "org" }, { orgId: "org_1" })).toMatchObject({
      allowed: true,
    });
    expect(await authz.decide(auth, perm("org:invoices:read"), { orgId: "org_2" })).toMatchObject({
      allowed: false,
      reason: "org_mismatch",
      missing: ["org_2"],
    });
    expect(await authz.decide(auth, { kind: "org", orgId: "org_2" })).toMatchObject({
      allowed: false,
      reason: "org_mismatch",
    });
    // Even a requirement that needs no org: the route is about another organization.
    expect(
      await authz.decide(
        auth,
        { kind: "predicate", name: "any", test: () => true },
        { orgId: "org_2" },
      ),
    ).toMatchObject({ reason: "org_mismatch" });
    expect(denied.at(-1)?.data).toMatchObject({
      orgId: "org_2",
      activeOrgId: "org_1",
      reason: "org_mismatch",
    });
    const noOrg = await clerkAuth({ userId: "user_1" });
    expect(await authz.decide(noOrg, { kind: "org" })).toMatchObject({
      allowed: false,
      reason: "no_active_org",
    });
    expect(await authz.decide(noOrg, perm("org:invoices:read"))).toMatchObject({
      allowed: false,
      reason: "no_active_org",
    });
  });

  it("signed out is signed_out, for every kind", async () => {
    const { authz, denied } = setup();
    for (const req of [
      perm("org:invoices:read"),
      { kind: "org" } as const,
      { kind: "scope", scopes: ["a"] } as const,
    ]) {
      expect(await authz.decide(signedOut(), req)).toMatchObject({
        allowed: false,
        reason: "signed_out",
      });
    }
    expect(denied[0]?.data).toMatchObject({ userId: null, reason: "signed_out" });
  });
});

describe("createAuthorizer: hostile claims", () => {
  it("v2 fpm that does not match fea: nothing beyond core's defensive expansion", async () => {
    const { authz } = setup();
    // One org feature but three masks, and a mask granting bits beyond `per`.
    const auth = await clerkAuth({
      userId: "user_1",
      org: { id: "org_1", role: "org:billing" },
      claims: { fea: "o:invoices", o: { id: "org_1", rol: "billing", per: "read", fpm: "7,3,1" } },
    });
    expect(auth.orgPermissions).toEqual(["org:invoices:read"]);
    expect(await authz.decide(auth, perm("org:invoices:read"))).toMatchObject({ allowed: true });
    for (const p of ["org:invoices:write", "org:reports:read", "org:sys_memberships:read"]) {
      expect(await authz.decide(auth, perm(p))).toMatchObject({
        allowed: false,
        reason: "missing_permission",
      });
    }
  });

  it("v1 org_permissions not an array, or with non-strings, grants nothing extra", async () => {
    const { authz } = setup();
    const notArray = await clerkAuth({
      userId: "user_1",
      version: 1,
      org: { id: "org_1", role: "org:billing" },
      claims: { org_permissions: "org:invoices:read" },
    });
    expect(await authz.decide(notArray, perm("org:invoices:read"))).toMatchObject({
      allowed: false,
    });
    const mixed = await clerkAuth({
      userId: "user_1",
      version: 1,
      org: { id: "org_1", role: "org:billing" },
      claims: {
        org_permissions: [
          1,
          { p: "org:invoices:read" },
          ["org:invoices:read"],
          "org:reports:read",
          "org:*",
        ],
      },
    });
    expect(await authz.decide(mixed, perm("org:reports:read"))).toMatchObject({ allowed: true });
    expect(await authz.decide(mixed, perm("org:invoices:read"))).toMatchObject({ allowed: false });
    // A wildcard listed in a token is a literal, not a grant.
    expect(await authz.decide(mixed, perm("org:anything:read"))).toMatchObject({ allowed: false });
  });

  it("a role without the org: prefix is normalised", async () => {
    const { authz } = setup();
    const auth = await clerkAuth({
      userId: "user_1",
      version: 1,
      org: { id: "org_1", role: "org:admin" },
      claims: { org_role: "admin" },
    });
    expect(auth.orgRole).toBe("admin");
    expect(await authz.decide(auth, { kind: "orgAdmin" })).toMatchObject({ allowed: true });
    expect(await authz.decide(auth, perm("org:sys_memberships:manage"))).toMatchObject({
      allowed: true,
    });
    const weird = await clerkAuth({
      userId: "user_1",
      version: 1,
      org: { id: "org_1", role: "org:admin" },
      claims: { org_role: "Admin Role!" },
    });
    expect(await authz.decide(weird, { kind: "orgAdmin" })).toMatchObject({
      allowed: false,
      reason: "missing_role",
    });
  });

  it("scope as a number, scp with non-strings, permissions not an array: fail closed", async () => {
    const { authz } = setup();
    const numeric = await selfAuth({ scope: 42, permissions: "invoices:read" });
    expect(await authz.decide(numeric, { kind: "scope", scopes: ["42"] })).toMatchObject({
      allowed: false,
      reason: "missing_scope",
      missing: ["42"],
    });
    expect(await authz.decide(numeric, perm("invoices:read"))).toMatchObject({
      allowed: false,
      reason: "missing_permission",
    });
    const scp = await selfAuth({ scp: ["read:a", 7, null, "write:b"] });
    expect(await authz.decide(scp, { kind: "scope", scopes: ["read:a", "write:b"] })).toMatchObject(
      { allowed: true },
    );
    expect(await authz.decide(scp, { kind: "scope", scopes: ["7"] })).toMatchObject({
      allowed: false,
    });
  });
});

describe("createAuthorizer: self-issued tokens and API keys", () => {
  it("grants app-level claims.permissions and scopes; org-scoped entries there grant nothing", async () => {
    const { authz } = setup();
    const auth = await selfAuth({
      scope: "invoices.read  invoices.write",
      permissions: ["invoices:read", "org:invoices:read", 3],
    });
    expect(await authz.decide(auth, perm("invoices:read"))).toMatchObject({ allowed: true });
    expect(await authz.decide(auth, perm("invoices:write"))).toMatchObject({
      allowed: false,
      reason: "missing_permission",
    });
    expect(await authz.decide(auth, perm("org:invoices:read"))).toMatchObject({
      allowed: false,
      reason: "no_active_org",
    });
    expect(
      await authz.decide(auth, { kind: "scope", scopes: ["invoices.read", "invoices.write"] }),
    ).toMatchObject({ allowed: true });
    expect(
      await authz.decide(auth, { kind: "scope", scopes: ["admin", "invoices.read"], mode: "any" }),
    ).toMatchObject({ allowed: true });
    expect(
      await authz.decide(auth, { kind: "scope", scopes: ["admin", "invoices.read"] }),
    ).toMatchObject({ allowed: false, missing: ["admin"] });
  });
});

describe("createAuthorizer: memberships and custom roles", () => {
  it("falls back to membership records when the token carries no org, for the route's org only", async () => {
    const { authz, memberships } = setup();
    await memberships.add("org_1", "user_self", "accountant");
    const auth = await selfAuth({});
    expect(await authz.decide(auth, perm("org:invoices:void"), { orgId: "org_1" })).toMatchObject({
      allowed: true,
    });
    expect(
      await authz.decide(auth, { kind: "role", role: "member" }, { orgId: "org_1" }),
    ).toMatchObject({ allowed: true });
    expect(await authz.decide(auth, perm("org:invoices:void"), { orgId: "org_2" })).toMatchObject({
      allowed: false,
      reason: "no_active_org",
      missing: ["org:invoices:void"],
    });
    expect(await authz.decide(auth, perm("org:invoices:void"))).toMatchObject({
      allowed: false,
      reason: "no_active_org",
    });
    expect(await authz.decide(auth, { kind: "orgAdmin" }, { orgId: "org_1" })).toMatchObject({
      allowed: false,
      reason: "missing_role",
    });
    // A Clerk session without an active org works the same way.
    await memberships.add("org_1", "user_1", "owner");
    expect(
      await authz.decide(
        await clerkAuth({ userId: "user_1" }),
        { kind: "orgAdmin" },
        { orgId: "org_1" },
      ),
    ).toMatchObject({ allowed: true });
  });

  it("custom roles grant their permissions to members and Clerk tokens alike", async () => {
    const { authz, memberships, customRoles } = setup();
    await customRoles.create("org_1", "clerk", ["org:reports:*"], { inherits: ["admin"] });
    await memberships.add("org_1", "user_self", "clerk");
    const self = await selfAuth({});
    expect(await authz.decide(self, perm("org:reports:export"), { orgId: "org_1" })).toMatchObject({
      allowed: true,
    });
    expect(
      await authz.decide(self, perm("org:sys_memberships:manage"), { orgId: "org_1" }),
    ).toMatchObject({ allowed: true });
    expect(await authz.decide(self, { kind: "orgAdmin" }, { orgId: "org_1" })).toMatchObject({
      allowed: true,
    });
    expect(
      await authz.decide(self, { kind: "role", role: "clerk" }, { orgId: "org_1" }),
    ).toMatchObject({ allowed: true });
    expect(
      await authz.decide(self, { kind: "role", role: "org:member" }, { orgId: "org_1" }),
    ).toMatchObject({ allowed: true });
    const token = await org1("org:clerk");
    expect(await authz.decide(token, perm("org:reports:export"))).toMatchObject({ allowed: true });
    const member = await org1("org:member");
    expect(await authz.decide(member, { kind: "role", role: "clerk" })).toMatchObject({
      allowed: false,
      reason: "missing_role",
    });
    expect(await authz.decide(member, { kind: "role", role: "nobody" })).toMatchObject({
      allowed: false,
      reason: "unknown_role",
    });
    // In another organization the custom role does not exist.
    const other = await clerkAuth({ userId: "user_1", org: { id: "org_2", role: "org:clerk" } });
    expect(await authz.decide(other, perm("org:reports:export"))).toMatchObject({ allowed: false });
  });

  it("store failures reject, so guards fail closed", async () => {
    const failing = createMemberships({
      records: { ...createMemoryRecordStore(), findOne: () => Promise.reject(new Error("down")) },
    });
    const authz = createAuthorizer({ roles, memberships: failing });
    await expect(
      authz.decide(await selfAuth({}), { kind: "org" }, { orgId: "org_1" }),
    ).rejects.toThrow("down");
  });
});

describe("createAuthorizer: billing, reverification, combinators, predicates", () => {
  it("features and plans with Clerk semantics", async () => {
    const { authz } = setup();
    const auth = await clerkAuth({
      userId: "user_1",
      features: ["u:beta", "o:export"],
      plans: ["o:pro"],
      org: { id: "org_1", role: "org:member" },
    });
    expect(await authz.decide(auth, { kind: "feature", feature: "beta" })).toMatchObject({
      allowed: true,
    });
    expect(await authz.decide(auth, { kind: "feature", feature: "org:export" })).toMatchObject({
      allowed: true,
    });
    expect(await authz.decide(auth, { kind: "feature", feature: "user:export" })).toMatchObject({
      allowed: false,
      reason: "missing_feature",
      missing: ["user:export"],
    });
    expect(await authz.decide(auth, { kind: "plan", plan: "pro" })).toMatchObject({
      allowed: true,
    });
    expect(await authz.decide(auth, { kind: "plan", plan: "enterprise" })).toMatchObject({
      allowed: false,
      reason: "missing_plan",
    });
  });

  it("reverification presets fill decision.reverification", async () => {
    const { authz } = setup();
    const fresh = await clerkAuth({ userId: "user_1", fva: [5, 5] });
    const stale = await clerkAuth({ userId: "user_1", fva: [30, 30] });
    expect(
      await authz.decide(fresh, { kind: "reverification", reverification: "strict" }),
    ).toMatchObject({ allowed: true });
    expect(await authz.decide(stale, { kind: "reverification", reverification: "strict" })).toEqual(
      {
        allowed: false,
        reason: "reverification_required",
        rule: "reverification:strict",
        missing: ["second_factor"],
        reverification: { level: "second_factor", afterMinutes: 10 },
      },
    );
    expect(
      await authz.decide(stale, { kind: "reverification", reverification: "strict_mfa" }),
    ).toMatchObject({ reverification: { level: "multi_factor", afterMinutes: 10 } });
    expect(
      await authz.decide(stale, { kind: "reverification", reverification: "moderate" }),
    ).toMatchObject({ allowed: true });
    expect(
      await authz.decide(stale, {
        kind: "reverification",
        reverification: { level: "first_factor", afterMinutes: 20 },
      }),
    ).toMatchObject({
      allowed: false,
      reverification: { level: "first_factor", afterMinutes: 20 },
    });
    expect(
      await authz.decide(await clerkAuth({ userId: "user_1", fva: [5, -1] }), {
        kind: "reverification",
        reverification: "lax",
      }),
    ).toMatchObject({ allowed: true });
  });

  it("allOf reports the first failure; anyOf allows on any and reports the first failure", async () => {
    const { authz } = setup();
    const auth = await org1("org:member");
    const all: Requirement = {
      kind: "allOf",
      requirements: [perm("org:invoices:read"), { kind: "role", role: "admin" }, perm("org:x:y")],
    };
    expect(await authz.decide(auth, all)).toMatchObject({
      allowed: false,
      reason: "missing_role",
      rule: "role:org:admin",
    });
    const any: Requirement = {
      kind: "anyOf",
      requirements: [{ kind: "role", role: "admin" }, perm("org:x:y")],
    };
    expect(await authz.decide(auth, any)).toMatchObject({
      allowed: false,
      reason: "missing_role",
      missing: ["org:admin"],
    });
    expect(
      await authz.decide(auth, { kind: "anyOf", requirements: [any, perm("org:invoices:read")] }),
    ).toMatchObject({ allowed: true });
    expect(
      await authz.decide(auth, {
        kind: "allOf",
        requirements: [perm("org:invoices:read"), { kind: "org" }],
      }),
    ).toMatchObject({ allowed: true });
  });

  it("a predicate that throws or rejects denies with predicate_failed", async () => {
    const { authz } = setup();
    const auth = await org1("org:member");
    const cases: [
      Requirement["kind"] & "predicate",
      (a: AuthContext) => boolean | Promise<boolean>,
      boolean,
    ][] = [
      ["predicate", () => true, true],
      ["predicate", async () => true, true],
      ["predicate", () => false, false],
      ["predicate", () => "yes" as unknown as boolean, false],
      [
        "predicate",
        () => {
          throw new Error("boom");
        },
        false,
      ],
      ["predicate", () => Promise.reject(new Error("boom")), false],
    ];
    for (const [kind, test, allowed] of cases) {
      expect(await authz.decide(auth, { kind, name: "business-hours", test })).toMatchObject(
        allowed
          ? { allowed }
          : { allowed, reason: "predicate_failed", rule: "predicate:business-hours" },
      );
    }
  });
});

describe("createAuthorizer: events and validation", () => {
  it("emits authz.denied with who/what/rule, never token material", async () => {
    const { authz, denied } = setup();
    const auth = await org1("org:member");
    await authz.decide(auth, perm("org:invoices:read")); // allowed: no event
    expect(denied).toHaveLength(0);
    await authz.decide(auth, perm("org:invoices:delete"));
    expect(denied).toHaveLength(1);
    expect(denied[0]!.data).toEqual({
      userId: "user_1",
      orgId: "org_1",
      activeOrgId: "org_1",
      rule: "permission:org:invoices:delete",
      reason: "missing_permission",
      missing: ["org:invoices:delete"],
    });
    const serialised = JSON.stringify(denied);
    expect(serialised).not.toMatch(/eyJ/); // no JWT
    expect(serialised).not.toContain("sess_");
  });

  it("validate(): unknown role, ungrantable or malformed permission are start-up errors naming them", () => {
    const { authz } = setup();
    expect(() => authz.validate({ kind: "role", role: "org:ghost" })).toThrow(
      /unknown role "org:ghost"/,
    );
    expect(() => authz.validate(perm("reports:read"))).toThrow(
      /"reports:read" is granted by no role/,
    );
    expect(() => authz.validate(perm("org:Invoices:read"))).toThrow(/malformed/);
    expect(() =>
      authz.validate({
        kind: "anyOf",
        requirements: [{ kind: "allOf", requirements: [perm("org:invoices:*")] }],
      }),
    ).toThrow(/malformed/);
    expect(() =>
      authz.validate({ kind: "reverification", reverification: "sometimes" as never }),
    ).toThrow(/preset/);
    expect(() => authz.validate({ kind: "anyOf", requirements: [] })).toThrow(/non-empty/);
    expect(() => authz.validate({ kind: "nope" } as never)).toThrow(/unknown kind/);
    expect(() => authz.validate(perm("org:invoices:read"))).not.toThrow();
    expect(() => createAuthorizer({ roles, adminRoles: ["org:ghost"] })).toThrow(
      /adminRoles.*org:ghost/,
    );
  });

  it("decide() throws config_invalid for a malformed requirement (misuse, not a denial)", async () => {
    const { authz } = setup();
    await expect(authz.decide(await org1("org:member"), perm("org:*"))).rejects.toMatchObject({
      code: "config_invalid",
    });
  });

  it("adminRoles overrides the RoleSet's admins", async () => {
    const authz = createAuthorizer({ roles, adminRoles: ["org:accountant"] });
    expect(await authz.decide(await org1("org:accountant"), { kind: "orgAdmin" })).toMatchObject({
      allowed: true,
    });
    expect(await authz.decide(await org1("org:admin"), { kind: "orgAdmin" })).toMatchObject({
      allowed: false,
    });
  });
});

describe("createAuthorizer: warm path cost", () => {
  it("decides a Clerk permission requirement in about a microsecond", async () => {
    const authz = createAuthorizer({ roles });
    const auth = await org1("org:member", ["org:reports:read"]);
    const req = perm("org:invoices:read");
    for (let i = 0; i < 2000; i++) await authz.decide(auth, req);
    const n = 20_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await authz.decide(auth, req);
    const perCall = Number(process.hrtime.bigint() - start) / n;
    // Generous bound for CI noise; the bench in test/bench/ measures precisely.
    expect(perCall).toBeLessThan(5_000);
  });
});
