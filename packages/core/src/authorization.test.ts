import { describe, expect, it } from "vitest";
import { type SignedInFields, signedIn, signedOut } from "./auth-context.js";
import {
  type AuthorizationCheck,
  type AuthorizationFacts,
  checkAuthorization,
  type ReverificationConfig,
  withOrgPrefix,
} from "./authorization.js";
import type { FactorVerificationAge, SessionClaims } from "./claims.js";

const MEMBER: AuthorizationFacts = {
  userId: "user_1",
  orgId: "org_1",
  orgRole: "org:admin",
  orgPermissions: ["org:invoices:read", "org:invoices:manage"],
  factorVerificationAge: [0, -1],
  features: null,
  plans: null,
};

const facts = (over: Partial<AuthorizationFacts>): AuthorizationFacts => ({ ...MEMBER, ...over });
const has = (check: AuthorizationCheck, over: Partial<AuthorizationFacts> = {}) =>
  checkAuthorization(facts(over), check);

describe("withOrgPrefix", () => {
  it("adds org: exactly once", () => {
    expect(withOrgPrefix("admin")).toBe("org:admin");
    expect(withOrgPrefix("org:admin")).toBe("org:admin");
    expect(withOrgPrefix("org:org:admin")).toBe("org:admin");
    expect(withOrgPrefix("organization:admin")).toBe("org:organization:admin");
  });
});

describe("has(): organization role and permission", () => {
  it("matches the role with or without the org: prefix, on either side", () => {
    expect(has({ role: "org:admin" })).toBe(true);
    expect(has({ role: "admin" })).toBe(true);
    expect(has({ role: "admin" }, { orgRole: "admin" })).toBe(true);
    expect(has({ role: "org:admin" }, { orgRole: "admin" })).toBe(true);
    expect(has({ role: "org:member" })).toBe(false);
    expect(has({ role: "Admin" })).toBe(false);
    expect(has({ role: "" })).toBe(false);
  });

  it("matches a permission with or without the prefix", () => {
    expect(has({ permission: "org:invoices:read" })).toBe(true);
    expect(has({ permission: "invoices:read" })).toBe(true);
    expect(has({ permission: "org:invoices:delete" })).toBe(false);
    expect(has({ permission: "org:invoices" })).toBe(false);
  });

  it("requires both when a role and a permission are asked for", () => {
    expect(has({ role: "admin", permission: "invoices:read" })).toBe(true);
    expect(has({ role: "admin", permission: "invoices:delete" })).toBe(false);
    expect(has({ role: "member", permission: "invoices:read" })).toBe(false);
  });

  it("fails without an active organization, role or permission list", () => {
    const noOrg = { orgId: null, orgRole: null, orgPermissions: null };
    expect(has({ role: "admin" }, noOrg)).toBe(false);
    expect(has({ permission: "invoices:read" }, noOrg)).toBe(false);
    // An org id alone (malformed token) grants nothing.
    expect(has({ role: "admin" }, { orgRole: null })).toBe(false);
    expect(has({ permission: "invoices:read" }, { orgPermissions: null })).toBe(false);
    // A role and permissions without an org id are not trusted either.
    expect(has({ role: "admin" }, { orgId: null })).toBe(false);
  });

  it("fails for a signed-out caller", () => {
    expect(has({ role: "admin" }, { userId: null })).toBe(false);
    expect(signedOut().has({ role: "admin" })).toBe(false);
  });

  it("fails for a check that asks for nothing, or is not an object", () => {
    expect(has({})).toBe(false);
    expect(has({ role: undefined, permission: undefined })).toBe(false);
    expect(checkAuthorization(MEMBER, null as unknown as AuthorizationCheck)).toBe(false);
    expect(checkAuthorization(MEMBER, "admin" as unknown as AuthorizationCheck)).toBe(false);
  });

  it("fails closed on non-string values from untyped callers", () => {
    expect(has({ role: 1 as unknown as string })).toBe(false);
    expect(has({ permission: ["org:invoices:read"] as unknown as string })).toBe(false);
    expect(has({ feature: {} as unknown as string }, { features: "o:x" })).toBe(false);
  });
});

describe("has(): features and plans", () => {
  const billing = { features: "o:export,u:beta,ou:sso", plans: "u:free,o:pro" };

  it("matches an unscoped name in either scope", () => {
    expect(has({ feature: "export" }, billing)).toBe(true);
    expect(has({ feature: "beta" }, billing)).toBe(true);
    expect(has({ feature: "sso" }, billing)).toBe(true);
    expect(has({ feature: "missing" }, billing)).toBe(false);
    expect(has({ plan: "pro" }, billing)).toBe(true);
    expect(has({ plan: "free" }, billing)).toBe(true);
    expect(has({ plan: "enterprise" }, billing)).toBe(false);
  });

  it("honours an explicit org or user scope", () => {
    expect(has({ feature: "org:export" }, billing)).toBe(true);
    expect(has({ feature: "o:export" }, billing)).toBe(true);
    expect(has({ feature: "organization:export" }, billing)).toBe(true);
    expect(has({ feature: "user:export" }, billing)).toBe(false);
    expect(has({ feature: "u:export" }, billing)).toBe(false);
    expect(has({ feature: "user:beta" }, billing)).toBe(true);
    expect(has({ feature: "org:beta" }, billing)).toBe(false);
    // ou: grants both scopes.
    expect(has({ feature: "org:sso" }, billing)).toBe(true);
    expect(has({ feature: "user:sso" }, billing)).toBe(true);
    expect(has({ plan: "org:pro" }, billing)).toBe(true);
    expect(has({ plan: "user:pro" }, billing)).toBe(false);
    expect(has({ plan: "user:free" }, billing)).toBe(true);
  });

  it("refuses an unknown scope", () => {
    expect(has({ feature: "team:export" }, billing)).toBe(false);
    expect(has({ plan: "team:pro" }, billing)).toBe(false);
  });

  it("fails when the claim is missing or malformed", () => {
    expect(has({ feature: "export" }, { features: null })).toBe(false);
    expect(has({ feature: "export" }, { features: "" })).toBe(false);
    expect(has({ feature: "export" }, { features: "export" })).toBe(false);
    expect(has({ feature: "export" }, { features: "garbage,o:export" })).toBe(false);
    expect(has({ feature: "export" }, { features: "x:export" })).toBe(false);
  });

  it("tolerates spaces around entries", () => {
    expect(has({ feature: "beta" }, { features: "o:export, u:beta" })).toBe(true);
  });

  it("needs both feature and plan when both are asked for, without an organization", () => {
    const personal = { ...billing, orgId: null, orgRole: null, orgPermissions: null };
    expect(has({ feature: "beta", plan: "free" }, personal)).toBe(true);
    expect(has({ feature: "beta", plan: "enterprise" }, personal)).toBe(false);
  });
});

describe("has(): reverification", () => {
  const presets = ["strict_mfa", "strict", "moderate", "lax"] as const;
  const table: [FactorVerificationAge | null, Record<(typeof presets)[number], boolean>][] = [
    // First factor just now, no second factor enrolled: the first factor is the strongest proof.
    [[0, -1], { strict_mfa: true, strict: true, moderate: true, lax: true }],
    [[5, 5], { strict_mfa: true, strict: true, moderate: true, lax: true }],
    // Second factor 20 minutes ago: too old for strict (10) but fine for moderate (60).
    [[5, 20], { strict_mfa: false, strict: false, moderate: true, lax: true }],
    [[-1, -1], { strict_mfa: false, strict: false, moderate: false, lax: false }],
    [[30, -1], { strict_mfa: false, strict: false, moderate: true, lax: true }],
    [[1500, 1500], { strict_mfa: false, strict: false, moderate: false, lax: false }],
    [[10, 10], { strict_mfa: false, strict: false, moderate: true, lax: true }],
    [null, { strict_mfa: false, strict: false, moderate: false, lax: false }],
  ];

  for (const [fva, expected] of table) {
    for (const preset of presets) {
      it(`${preset} with fva ${JSON.stringify(fva)} → ${expected[preset]}`, () => {
        expect(has({ reverification: preset }, { factorVerificationAge: fva })).toBe(
          expected[preset],
        );
      });
    }
  }

  const custom: [ReverificationConfig, FactorVerificationAge | null, boolean][] = [
    [{ level: "first_factor", afterMinutes: 10 }, [0, -1], true],
    [{ level: "first_factor", afterMinutes: 10 }, [5, 20], true],
    [{ level: "first_factor", afterMinutes: 10 }, [30, -1], false],
    [{ level: "first_factor", afterMinutes: 10 }, [-1, 0], false],
    [{ level: "first_factor", afterMinutes: 10 }, [-1, -1], false],
    [{ level: "first_factor", afterMinutes: 10 }, null, false],
    [{ level: "second_factor", afterMinutes: 25 }, [5, 20], true],
    [{ level: "second_factor", afterMinutes: 15 }, [5, 20], false],
    [{ level: "second_factor", afterMinutes: 25 }, [30, -1], false],
    [{ level: "multi_factor", afterMinutes: 25 }, [5, 20], true],
    [{ level: "multi_factor", afterMinutes: 25 }, [30, 20], false],
    [{ level: "multi_factor", afterMinutes: 25 }, [-1, 20], false],
    [{ level: "multi_factor", afterMinutes: 5 }, [5, -1], false],
  ];
  it.each(custom)("custom %j with fva %j → %s", (config, fva, expected) => {
    expect(has({ reverification: config }, { factorVerificationAge: fva })).toBe(expected);
  });

  it.each([
    "bogus",
    "__proto__",
    "toString",
    { level: "fourth_factor", afterMinutes: 10 },
    { level: "first_factor", afterMinutes: 0 },
    { level: "first_factor", afterMinutes: -5 },
    { level: "first_factor", afterMinutes: Number.NaN },
    { level: "first_factor", afterMinutes: "10" },
    { level: "first_factor" },
    null,
    7,
  ])("refuses an invalid reverification config %j", (config) => {
    expect(
      has(
        { reverification: config as unknown as ReverificationConfig },
        { factorVerificationAge: [0, 0] },
      ),
    ).toBe(false);
  });
});

describe("has(): dimensions combined", () => {
  it("fails when any requested dimension fails", () => {
    const stale = { factorVerificationAge: [5, 20] as const };
    expect(has({ role: "admin", reverification: "moderate" }, stale)).toBe(true);
    expect(has({ role: "admin", reverification: "strict" }, stale)).toBe(false);
    expect(has({ role: "member", reverification: "moderate" }, stale)).toBe(false);
    const billing = { features: "o:export" };
    expect(has({ permission: "invoices:read", feature: "export" }, billing)).toBe(true);
    expect(has({ permission: "invoices:read", feature: "import" }, billing)).toBe(false);
    expect(
      has({ permission: "invoices:read", feature: "export", reverification: "lax" }, billing),
    ).toBe(true);
    expect(
      has(
        { permission: "invoices:read", feature: "export", reverification: "lax" },
        {
          ...billing,
          factorVerificationAge: null,
        },
      ),
    ).toBe(false);
  });
});

describe("SignedInAuthContext.has", () => {
  it("evaluates checks against the context's own facts", () => {
    const fields: SignedInFields = {
      userId: "user_1",
      sessionId: "sess_1",
      sessionStatus: "active",
      orgId: "org_1",
      orgRole: "org:viewer",
      orgSlug: null,
      orgPermissions: ["org:reports:read"],
      features: "u:beta",
      plans: null,
      factorVerificationAge: [0, 0],
      actor: null,
      tokenType: "session_token",
      issuer: "https://clerk.test.local",
      claims: { iss: "https://clerk.test.local", sub: "user_1", exp: 0 } as SessionClaims,
    };
    const ctx = signedIn(fields);
    expect(ctx.has({ role: "viewer" })).toBe(true);
    expect(ctx.has({ permission: "reports:read", reverification: "strict_mfa" })).toBe(true);
    expect(ctx.has({ role: "admin" })).toBe(false);
    expect(ctx.has({ feature: "user:beta" })).toBe(true);
    expect(ctx.has({})).toBe(false);
  });
});
