import { describe, expect, it } from "vitest";
import {
  compileGrants,
  grants,
  isPermission,
  normalisePermission,
  parsePermission,
} from "./permissions.js";

describe("parsePermission", () => {
  it("accepts org-scoped and app-level permissions", () => {
    expect(parsePermission("org:invoices:read")).toMatchObject({
      scope: "org",
      feature: "invoices",
      action: "read",
    });
    expect(parsePermission("invoices:read")).toMatchObject({
      scope: "app",
      feature: "invoices",
      action: "read",
    });
    expect(parsePermission("org:sys_memberships:manage")?.value).toBe("org:sys_memberships:manage");
  });

  it("collapses a repeated org: prefix", () => {
    expect(normalisePermission("org:org:org:invoices:read")).toBe("org:invoices:read");
    expect(parsePermission("org:org:invoices:read")?.value).toBe("org:invoices:read");
  });

  it.each([
    "",
    "invoices",
    "org:invoices",
    "org:Invoices:read",
    "org:invoices:read:extra",
    "org:invoices: read",
    "org::read",
    "org:read", // would be the app-level feature "org": reserved
    "invoices:*",
    "*",
    "org:*",
    "org:invoices:*",
    "a".repeat(300),
  ])("refuses %j as a requirement", (value) => {
    expect(parsePermission(value)).toBeNull();
  });

  it("accepts wildcards only as grants", () => {
    for (const w of ["org:invoices:*", "org:*", "invoices:*", "*"]) {
      expect(isPermission(w)).toBe(false);
      expect(isPermission(w, { wildcard: true })).toBe(true);
    }
    expect(isPermission("org:*:read", { wildcard: true })).toBe(false);
    expect(isPermission("org:in*:read", { wildcard: true })).toBe(false);
  });

  it("refuses non-strings", () => {
    for (const v of [null, undefined, 1, ["org:a:b"], { toString: () => "org:a:b" }]) {
      expect(parsePermission(v)).toBeNull();
    }
  });
});

describe("grants", () => {
  it("matches exactly", () => {
    expect(grants(["org:invoices:read"], "org:invoices:read")).toBe(true);
    expect(grants(["org:invoices:read"], "org:invoices:write")).toBe(false);
    expect(grants(["invoices:read"], "org:invoices:read")).toBe(false);
    expect(grants(["org:invoices:read"], "invoices:read")).toBe(false);
  });

  it("expands feature and scope wildcards", () => {
    expect(grants(["org:invoices:*"], "org:invoices:delete")).toBe(true);
    expect(grants(["org:invoices:*"], "org:invoicesx:read")).toBe(false);
    expect(grants(["org:invoices:*"], "org:reports:read")).toBe(false);
    expect(grants(["org:*"], "org:reports:read")).toBe(true);
    expect(grants(["invoices:*"], "invoices:read")).toBe(true);
    expect(grants(["invoices:*"], "org:invoices:read")).toBe(false);
  });

  it("never lets a wildcard cross scopes", () => {
    expect(grants(["org:*"], "invoices:read")).toBe(false);
    expect(grants(["*"], "invoices:read")).toBe(true);
    expect(grants(["*"], "org:invoices:read")).toBe(false);
  });

  it("never grants a malformed or wildcard requirement", () => {
    expect(grants(["*", "org:*"], "org:*")).toBe(false);
    expect(grants(["*", "org:*"], "org:invoices:*")).toBe(false);
    expect(grants(["*", "org:*"], "Invoices:read")).toBe(false);
  });

  it("drops malformed grants instead of honouring them", () => {
    const m = compileGrants(["org:", "", 5, "org:invoices:read"]);
    expect(m.granted).toEqual(["org:invoices:read"]);
    expect(m.grants("org:x:y")).toBe(false);
  });
});
