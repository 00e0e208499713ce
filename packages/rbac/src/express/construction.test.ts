// Guard construction: names, requirements carried, and start-up validation.
import { describe, expect, it } from "vitest";
import {
  allOf,
  anyOf,
  createGuards,
  permission,
  predicate,
  requireAuth,
  reverification,
  role,
  scope,
} from "../express.js";
import { createAuthorizer, defineRoles } from "../index.js";
import { fakeAuthorizer } from "./test-helpers.js";

function configInvalid(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toMatchObject({ code: "config_invalid", status: 500 });
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected a config_invalid error");
}

describe("createGuards()", () => {
  const guard = createGuards(fakeAuthorizer());

  it("returns named middleware carrying their requirement", () => {
    expect(guard.requireOrg.name).toBe("requireOrg");
    expect(guard.requireOrgAdmin.name).toBe("requireOrgAdmin");
    expect(guard.requireAuth.name).toBe("requireAuth");
    expect(guard.requireRole("org:admin").name).toBe("requireRole");
    expect(guard.requireScope("a").name).toBe("requireScope");
    expect(guard.anyOf(role("org:admin")).name).toBe("anyOf");
    const p = guard.requirePermission("org:invoices:read");
    expect(p.name).toBe("requirePermission");
    expect(p.length).toBe(3);
    expect(p.requirement).toEqual({
      kind: "permission",
      permissions: ["org:invoices:read"],
      mode: "all",
    });
    expect(Object.isFrozen(p.requirement)).toBe(true);
  });

  it("combinators compose requirements and guards alike", () => {
    const g = guard.anyOf(
      role("org:admin"),
      guard.requirePermission("org:invoices:manage"),
      allOf(
        scope("invoices:write"),
        predicate("weekday", () => true),
      ),
    );
    expect(g.requirement).toMatchObject({
      kind: "anyOf",
      requirements: [
        { kind: "role", role: "org:admin" },
        { kind: "permission", permissions: ["org:invoices:manage"] },
        {
          kind: "allOf",
          requirements: [{ kind: "scope" }, { kind: "predicate", name: "weekday" }],
        },
      ],
    });
    expect(anyOf(role("a")).kind).toBe("anyOf");
  });

  it("re-exports @gatehouse/express requireAuth", () => {
    expect(requireAuth().name).toBe("requireAuth");
  });

  it("refuses a bad authorizer or options at start-up", () => {
    configInvalid(() => createGuards({} as never), /createGuards\(\): authorizer/);
    configInvalid(
      () => createGuards(fakeAuthorizer(), { orgparam: "orgId" } as never),
      /unknown option "orgparam"/,
    );
    configInvalid(() => createGuards(fakeAuthorizer(), { orgParam: "org id" }), /orgParam/);
    configInvalid(() => createGuards(fakeAuthorizer(), { realm: 'a"b' }), /realm/);
  });

  it("refuses malformed requirements at start-up, naming them", () => {
    configInvalid(() => guard.requirePermission(""), /permission\(\): permission ""/);
    configInvalid(() => guard.requirePermission([]), /give 1 to 50 permissions/);
    configInvalid(
      () => guard.requirePermission("org:a:b", { mode: "some" } as never),
      /"mode" must be "all" or "any"/,
    );
    configInvalid(() => guard.requireRole("org admin"), /role\(\): role "org admin"/);
    configInvalid(() => guard.requireScope('a"b'), /scope\(\): scope/);
    configInvalid(() => guard.requireReverification("loose" as never), /reverification must be/);
    configInvalid(
      () => guard.requireReverification({ level: "second_factor", afterMinutes: 0 }),
      /afterMinutes/,
    );
    configInvalid(
      () => guard.requireReverification({ level: "third_factor" as never, afterMinutes: 5 }),
      /level/,
    );
    configInvalid(() => guard.requireThat("x", "yes" as never), /test must be a function/);
    configInvalid(() => guard.anyOf(), /anyOf\(\): give at least one requirement/);
    configInvalid(() => guard.allOf({ kind: "nope" } as never), /every operand/);
    configInvalid(
      () => guard.anyOf(guard.requireAuth as never),
      /a plain middleware cannot be combined/,
    );
  });

  it("keeps presets as Clerk names them", () => {
    expect(reverification("strict_mfa")).toEqual({
      kind: "reverification",
      reverification: "strict_mfa",
    });
    expect(permission(["a:b", "a:b", "c:d"], { mode: "any" })).toEqual({
      kind: "permission",
      permissions: ["a:b", "c:d"],
      mode: "any",
    });
  });
});

describe("start-up checks against the authorizer's roles", () => {
  const roles = defineRoles({
    roles: {
      "org:member": { permissions: ["org:invoices:read"] },
      "org:admin": { permissions: ["org:invoices:*"], inherits: ["org:member"] },
    },
  });
  const guard = createGuards(Object.assign(fakeAuthorizer(), { roles }));

  it("accepts permissions some role grants (wildcards count) and defined roles", () => {
    expect(guard.requirePermission("org:invoices:manage").name).toBe("requirePermission");
    expect(guard.requireRole("admin").name).toBe("requireRole");
  });

  it("refuses a permission no role grants, naming it", () => {
    configInvalid(
      () => guard.requirePermission("org:reports:launch"),
      /requirePermission\(\): permission "org:reports:launch" is granted by no role/,
    );
    configInvalid(
      () => guard.anyOf(role("org:admin"), permission("org:reports:launch")),
      /anyOf\(\): permission "org:reports:launch"/,
    );
  });

  it("refuses a wildcard in a requirement and an undefined role", () => {
    configInvalid(() => guard.requirePermission("org:invoices:*"), /malformed/);
    configInvalid(() => guard.requireRole("org:billing"), /role "org:billing" is not defined/);
  });
});

describe("start-up checks with createAuthorizer()", () => {
  const guard = createGuards(
    createAuthorizer({
      roles: defineRoles({
        roles: {
          "org:member": { permissions: ["org:invoices:read"] },
          "org:admin": { permissions: ["org:invoices:manage"], inherits: ["org:member"] },
        },
      }),
    }),
  );

  it("throws config_invalid naming a permission no role grants", () => {
    configInvalid(
      () => guard.requirePermission("org:invoices:launch"),
      /requirePermission\(\): permission "org:invoices:launch" is granted by no role/,
    );
    configInvalid(
      () => guard.allOf(guard.requireOrg, permission(["org:invoices:read", "org:invoices:launch"])),
      /"org:invoices:launch"/,
    );
    expect(guard.requirePermission("org:invoices:manage").name).toBe("requirePermission");
  });
});
