import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { createCustomRoles, customRoleModel } from "./custom-roles.js";
import { createMemberships } from "./memberships.js";
import { defaultRoles, defineRoles } from "./roles.js";

function setup(catalog?: string[]) {
  const clock = createFakeClock();
  const records = createMemoryRecordStore({ clock });
  const kv = createMemoryKeyValueStore({ clock });
  const roles = defineRoles({
    roles: defaultRoles(),
    ...(catalog ? { permissions: catalog } : {}),
  });
  const make = () =>
    createCustomRoles({ records, kv, roles, clock, cacheTtlMs: 5000, checkIntervalMs: 1000 });
  return {
    clock,
    records,
    kv,
    roles,
    a: make(),
    b: make(),
    memberships: createMemberships({ records }),
  };
}

describe("createCustomRoles", () => {
  it("creates, lists, resolves with inherited built-in permissions", async () => {
    const { a } = setup();
    const role = await a.create("org_1", "accountant", ["org:invoices:*"], {
      inherits: ["member"],
    });
    expect(role).toMatchObject({
      orgId: "org_1",
      name: "org:accountant",
      permissions: ["org:invoices:*"],
      inherits: ["org:member"],
    });
    expect((await a.list("org_1")).map((r) => r.name)).toEqual(["org:accountant"]);
    expect(await a.list("org_2")).toEqual([]);
    expect(await a.permissionsOf("org_1", "org:accountant")).toEqual([
      "org:invoices:*",
      "org:sys_memberships:read",
    ]);
    expect(await a.permissionsOf("org_2", "org:accountant")).toBeUndefined(); // per organization
    expect(await a.permissionsOf("org_1", "org:admin")).toContain("org:sys_memberships:manage");
    expect((await a.resolve("org_1", "accountant"))?.matcher.grants("org:invoices:void")).toBe(
      true,
    );
  });

  it("refuses to shadow a built-in role, duplicates, bad names and bad permissions", async () => {
    const { a } = setup([
      "org:invoices:read",
      "org:sys_memberships:read",
      "org:sys_memberships:manage",
      "org:sys_profile:manage",
      "org:sys_domains:read",
      "org:sys_domains:manage",
      "org:sys_billing:read",
      "org:sys_billing:manage",
    ]);
    await expect(a.create("org_1", "admin", [])).rejects.toMatchObject({
      code: "store_duplicate",
      message: expect.stringContaining("built-in"),
    });
    await a.create("org_1", "viewer", ["org:invoices:read"]);
    await expect(a.create("org_1", "org:viewer", [])).rejects.toMatchObject({
      code: "store_duplicate",
    });
    await expect(a.create("org_1", "Viewer!", [])).rejects.toMatchObject({
      code: "config_invalid",
      status: 400,
    });
    await expect(a.create("org_1", "x", ["org:Invoices:read"])).rejects.toMatchObject({
      code: "config_invalid",
      status: 400,
      message: expect.stringContaining("malformed"),
    });
    await expect(a.create("org_1", "x", ["org:invoices:write"])).rejects.toMatchObject({
      message: expect.stringContaining("not in the permission catalog"),
    });
    await expect(a.create("org_1", "x", "org:invoices:read" as never)).rejects.toMatchObject({
      code: "config_invalid",
    });
    await expect(a.create("org_1", "x", [], { inherits: ["org:viewer"] })).rejects.toMatchObject({
      message: expect.stringContaining("not a built-in role"),
    });
    await expect(a.create("org/1", "x", [])).rejects.toMatchObject({ code: "config_invalid" });
  });

  it("renames a role and moves its members", async () => {
    const { a, memberships } = setup();
    await a.create("org_1", "viewer", ["org:invoices:read"]);
    await memberships.add("org_1", "user_1", "viewer");
    await memberships.add("org_2", "user_1", "viewer"); // another org's role of the same name is untouched
    await a.rename("org_1", "viewer", "reader");
    expect(await a.permissionsOf("org_1", "org:viewer")).toBeUndefined();
    expect(await a.permissionsOf("org_1", "org:reader")).toEqual(["org:invoices:read"]);
    expect(await memberships.roleOf("org_1", "user_1")).toBe("org:reader");
    expect(await memberships.roleOf("org_2", "user_1")).toBe("org:viewer");
    await expect(a.rename("org_1", "reader", "owner")).rejects.toMatchObject({
      code: "store_duplicate",
    });
    await expect(a.rename("org_1", "ghost", "x")).rejects.toMatchObject({
      code: "store_not_found",
    });
  });

  it("setPermissions replaces the grants", async () => {
    const { a } = setup();
    await a.create("org_1", "viewer", ["org:invoices:read"]);
    await a.setPermissions("org_1", "viewer", ["org:reports:read"]);
    expect(await a.permissionsOf("org_1", "viewer")).toEqual(["org:reports:read"]);
    await expect(a.setPermissions("org_1", "viewer", ["nope"])).rejects.toMatchObject({
      code: "config_invalid",
    });
  });

  it("delete refuses while members hold the role, naming how many", async () => {
    const { a, memberships } = setup();
    await a.create("org_1", "viewer", ["org:invoices:read"]);
    await memberships.add("org_1", "user_1", "viewer");
    await memberships.add("org_1", "user_2", "org:viewer");
    await memberships.add("org_1", "user_3", "member");
    await expect(a.delete("org_1", "viewer")).rejects.toMatchObject({
      code: "store_conflict",
      message: expect.stringContaining("held by 2 members"),
    });
    await expect(a.delete("org_1", "viewer", { onMembers: "refuse" })).rejects.toMatchObject({
      code: "store_conflict",
    });
    expect(await a.permissionsOf("org_1", "viewer")).toEqual(["org:invoices:read"]);
  });

  it("delete with reassignTo moves the members first", async () => {
    const { a, memberships } = setup();
    await a.create("org_1", "viewer", ["org:invoices:read"]);
    await a.create("org_1", "reader", ["org:invoices:read"]);
    await memberships.add("org_1", "user_1", "viewer");
    await memberships.add("org_1", "user_2", "viewer");
    await expect(
      a.delete("org_1", "viewer", { onMembers: { reassignTo: "ghost" } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('unknown role "org:ghost"') });
    await expect(
      a.delete("org_1", "viewer", { onMembers: { reassignTo: "viewer" } }),
    ).rejects.toMatchObject({ code: "config_invalid" });
    expect(await a.delete("org_1", "viewer", { onMembers: { reassignTo: "reader" } })).toBe(true);
    expect(await memberships.roleOf("org_1", "user_1")).toBe("org:reader");
    expect(await memberships.roleOf("org_1", "user_2")).toBe("org:reader");
    expect(await a.permissionsOf("org_1", "viewer")).toBeUndefined();
    expect(await a.delete("org_1", "viewer")).toBe(false);
    await a.create("org_1", "temp", []);
    await memberships.add("org_1", "user_3", "temp");
    expect(await a.delete("org_1", "temp", { onMembers: { reassignTo: "member" } })).toBe(true);
    expect(await memberships.roleOf("org_1", "user_3")).toBe("org:member");
  });

  describe("cache contract", () => {
    it("a change on instance A is seen by B once B's check interval passes, not before", async () => {
      const { a, b, clock } = setup();
      await a.create("org_1", "viewer", ["org:invoices:read"]);
      expect(await b.permissionsOf("org_1", "viewer")).toEqual(["org:invoices:read"]); // B caches
      await a.setPermissions("org_1", "viewer", ["org:reports:read"]);
      expect(await a.permissionsOf("org_1", "viewer")).toEqual(["org:reports:read"]); // A at once
      clock.advance(999);
      expect(await b.permissionsOf("org_1", "viewer")).toEqual(["org:invoices:read"]); // within the interval
      clock.advance(1);
      expect(await b.permissionsOf("org_1", "viewer")).toEqual(["org:reports:read"]); // counter changed
    });

    it("an unchanged counter keeps the cache (no refetch) until cacheTtlMs", async () => {
      const { a, b, clock, records } = setup();
      const role = await a.create("org_1", "viewer", ["org:invoices:read"]);
      expect(await b.permissionsOf("org_1", "viewer")).toEqual(["org:invoices:read"]);
      // Written behind the API's back: no counter bump.
      await records.update(customRoleModel, role.id, { permissions: ["org:reports:read"] });
      clock.advance(4999);
      expect(await b.permissionsOf("org_1", "viewer")).toEqual(["org:invoices:read"]);
      clock.advance(1);
      expect(await b.permissionsOf("org_1", "viewer")).toEqual(["org:reports:read"]); // staleness bounded by cacheTtlMs
    });

    it("a deletion on A stops granting on B after the check interval", async () => {
      const { a, b, clock } = setup();
      await a.create("org_1", "viewer", ["org:invoices:read"]);
      expect(await b.resolve("org_1", "viewer")).toBeDefined();
      await a.delete("org_1", "viewer");
      clock.advance(1000);
      expect(await b.resolve("org_1", "viewer")).toBeUndefined();
    });

    it("store failures reject (fail closed)", async () => {
      const { roles, clock } = setup();
      const failing = createCustomRoles({
        records: createMemoryRecordStore({ clock }),
        kv: {
          ...createMemoryKeyValueStore({ clock }),
          get: () => Promise.reject(new Error("down")),
        },
        roles,
        clock,
      });
      await expect(failing.resolve("org_1", "viewer")).rejects.toThrow("down");
    });

    it("validates its options", () => {
      const { records, kv, roles } = setup();
      expect(() =>
        createCustomRoles({ records, kv, roles, cacheTtlMs: 100, checkIntervalMs: 200 }),
      ).toThrow(/checkIntervalMs/);
      expect(() => createCustomRoles({ records, kv } as never)).toThrow(
        /createCustomRoles\(\).*roles/,
      );
    });
  });
});

describe("createMemberships", () => {
  it("adds, reads, changes, lists and removes memberships", async () => {
    const { memberships } = setup();
    await memberships.add("org_1", "user_1", "admin");
    await memberships.add("org_1", "user_2", "org:member");
    await expect(memberships.add("org_1", "user_1", "member")).rejects.toMatchObject({
      code: "store_duplicate",
    });
    expect(await memberships.roleOf("org_1", "user_1")).toBe("org:admin");
    expect(await memberships.roleOf("org_2", "user_1")).toBeUndefined();
    await memberships.setRole("org_1", "user_1", "member");
    expect(await memberships.roleOf("org_1", "user_1")).toBe("org:member");
    await expect(memberships.setRole("org_1", "ghost", "member")).rejects.toMatchObject({
      code: "store_not_found",
    });
    expect((await memberships.list("org_1")).items.map((m) => m.userId).sort()).toEqual([
      "user_1",
      "user_2",
    ]);
    expect(await memberships.remove("org_1", "user_1")).toBe(true);
    expect(await memberships.remove("org_1", "user_1")).toBe(false);
    await expect(memberships.add("org_1", "user_3", "Not A Role")).rejects.toMatchObject({
      code: "config_invalid",
    });
  });
});
