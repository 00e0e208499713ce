import { describe, expect, it } from "vitest";
import { assertGrantable, defaultPermissions, defaultRoles, defineRoles } from "./roles.js";

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toMatchObject({ code: "config_invalid" });
    return (error as Error).message;
  }
  throw new Error("expected a config_invalid error");
}

const app = () =>
  defineRoles({
    roles: {
      ...defaultRoles(),
      "org:accountant": { permissions: ["org:invoices:*"], inherits: ["org:member"] },
      "org:auditor": {
        permissions: ["org:invoices:read", "reports:read"],
        inherits: ["org:accountant"],
      },
    },
  });

describe("defineRoles", () => {
  it("resolves permissions through multi-level inheritance", () => {
    const roles = app();
    expect(roles.permissionsOf("org:auditor")).toEqual(
      expect.arrayContaining([
        "org:invoices:read",
        "reports:read",
        "org:invoices:*",
        "org:sys_memberships:read",
      ]),
    );
    expect(roles.matcherOf("auditor")?.grants("org:invoices:delete")).toBe(true);
    expect(roles.matcherOf("member")?.grants("org:invoices:read")).toBe(false);
    expect(roles.inheritedBy("org:auditor")).toEqual(
      expect.arrayContaining(["org:accountant", "org:member"]),
    );
    expect(roles.permissionsOf("org:auditor")).toBe(roles.permissionsOf("auditor")); // cached
  });

  it("normalises role keys: admin is org:admin", () => {
    const roles = app();
    expect(roles.has("admin")).toBe(true);
    expect(roles.has("org:org:admin")).toBe(true);
    expect(roles.has("org:nobody")).toBe(false);
    expect(roles.permissionsOf("nobody")).toEqual([]);
    expect(roles.roles).toContain("org:admin");
  });

  it("satisfiesRole: equal, or inherits the required role", () => {
    const roles = app();
    expect(roles.satisfiesRole("org:owner", "org:member")).toBe(true); // owner → admin → member
    expect(roles.satisfiesRole("org:admin", "admin")).toBe(true);
    expect(roles.satisfiesRole("org:member", "org:admin")).toBe(false);
    expect(roles.satisfiesRole("org:ghost", "org:ghost")).toBe(false); // unknown roles satisfy nothing
    expect(roles.isAdmin("org:owner")).toBe(true);
    expect(roles.isAdmin("org:auditor")).toBe(false);
  });

  it("returns frozen structures", () => {
    const roles = app();
    expect(Object.isFrozen(roles)).toBe(true);
    expect(Object.isFrozen(roles.permissionsOf("org:admin"))).toBe(true);
  });

  it("names an unknown role in inherits", () => {
    expect(
      configError(() =>
        defineRoles({ roles: { "org:a": { permissions: [], inherits: ["org:ghost"] } } }),
      ),
    ).toMatch(/role "org:a" inherits unknown role "org:ghost"/);
  });

  it("names an inheritance cycle in full", () => {
    const message = configError(() =>
      defineRoles({
        roles: {
          "org:a": { permissions: [], inherits: ["org:b"] },
          "org:b": { permissions: [], inherits: ["org:c"] },
          "org:c": { permissions: [], inherits: ["org:a"] },
        },
      }),
    );
    expect(message).toContain("cycle: org:a → org:b → org:c → org:a");
    expect(
      configError(() => defineRoles({ roles: { "org:a": { permissions: [], inherits: ["a"] } } })),
    ).toContain("org:a → org:a");
  });

  it("names a malformed permission", () => {
    expect(
      configError(() =>
        defineRoles({ roles: { "org:a": { permissions: ["org:Invoices:read"] } } }),
      ),
    ).toMatch(/role "org:a": permission "org:Invoices:read" is malformed/);
    expect(
      configError(() => defineRoles({ roles: { "org:a": { permissions: [5 as never] } } })),
    ).toMatch(/roles\.org:a\.permissions/);
  });

  it("names a permission outside the catalog, and a wildcard covering none of it", () => {
    const catalog = ["org:invoices:read", ...defaultPermissions()];
    expect(
      configError(() =>
        defineRoles({
          roles: { "org:a": { permissions: ["org:invoice:read"] } },
          permissions: catalog,
        }),
      ),
    ).toMatch(/"org:invoice:read" is not in the permission catalog/);
    expect(
      configError(() =>
        defineRoles({
          roles: { "org:a": { permissions: ["org:invoice:*"] } },
          permissions: catalog,
        }),
      ),
    ).toMatch(/"org:invoice:\*" covers no permission/);
    expect(defineRoles({ roles: defaultRoles(), permissions: catalog }).catalog).toEqual(catalog);
  });

  it("names a malformed role key, a duplicate, and an unknown admin", () => {
    expect(configError(() => defineRoles({ roles: { "org:Admin": { permissions: [] } } }))).toMatch(
      /role key "org:Admin"/,
    );
    expect(
      configError(() =>
        defineRoles({ roles: { admin: { permissions: [] }, "org:admin": { permissions: [] } } }),
      ),
    ).toMatch(/"org:admin" is defined twice/);
    expect(configError(() => defineRoles({ roles: defaultRoles(), admins: ["org:boss"] }))).toMatch(
      /unknown role "org:boss"/,
    );
    expect(configError(() => defineRoles({ roles: {} }))).toMatch(/at least one role/);
    expect(configError(() => defineRoles({ roles: defaultRoles(), extra: 1 } as never))).toMatch(
      /defineRoles\(\)/,
    );
  });

  it("admins default to the defined ones of org:owner and org:admin", () => {
    expect(app().admins).toEqual(["org:owner", "org:admin"]);
    expect(defineRoles({ roles: { "org:boss": { permissions: [] } } }).admins).toEqual([]);
    expect(
      defineRoles({ roles: { "org:boss": { permissions: [] } }, admins: ["boss"] }).admins,
    ).toEqual(["org:boss"]);
  });
});

describe("defaultRoles", () => {
  it("owner holds every org permission, admin inherits member", () => {
    const roles = defineRoles({ roles: defaultRoles() });
    expect(roles.matcherOf("org:owner")?.grants("org:anything:delete")).toBe(true);
    expect(roles.matcherOf("org:owner")?.grants("billing:read")).toBe(false);
    expect(roles.matcherOf("org:admin")?.grants("org:sys_memberships:read")).toBe(true);
    expect(roles.matcherOf("org:admin")?.grants("org:sys_memberships:manage")).toBe(true);
    expect(roles.matcherOf("org:member")?.grants("org:sys_memberships:manage")).toBe(false);
  });

  it("returns a fresh object that apps can rename and extend", () => {
    const { "org:member": member, ...rest } = defaultRoles();
    (defaultRoles()["org:admin"] as { description?: string }).description = "changed";
    expect(defaultRoles()["org:admin"]!.description).not.toBe("changed");
    const roles = defineRoles({
      roles: {
        ...rest,
        "org:admin": { ...rest["org:admin"]!, inherits: ["org:viewer"] },
        "org:viewer": { ...member!, permissions: [...member!.permissions, "org:invoices:read"] },
      },
    });
    expect(roles.matcherOf("org:admin")?.grants("org:invoices:read")).toBe(true);
  });
});

describe("assertGrantable", () => {
  it("refuses a permission no role grants, naming it", () => {
    const roles = defineRoles({
      roles: { "org:a": { permissions: ["org:invoices:read", "reports:*"] } },
    });
    expect(assertGrantable(roles, "org:invoices:read")).toBe("org:invoices:read");
    expect(assertGrantable(roles, "reports:export")).toBe("reports:export");
    expect(configError(() => assertGrantable(roles, "org:invoices:write"))).toMatch(
      /"org:invoices:write" is granted by no role/,
    );
    expect(configError(() => assertGrantable(roles, "org:invoices:*"))).toMatch(/malformed/);
  });

  it("with a catalog, requires catalog membership", () => {
    const roles = defineRoles({
      roles: { "org:a": { permissions: ["org:invoices:read"] } },
      permissions: ["org:invoices:read", "org:invoices:write"],
    });
    expect(assertGrantable(roles, "org:invoices:write")).toBe("org:invoices:write"); // a custom role may grant it
    expect(configError(() => assertGrantable(roles, "org:invoices:delete"))).toMatch(
      /not in the permission catalog/,
    );
  });
});
