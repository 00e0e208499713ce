/**
 * Roles from configuration: named permission sets with inheritance, checked
 * at start-up.
 *
 * @packageDocumentation
 */
import { parseOptions } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import { z } from "zod";
import {
  compileGrants,
  normalisePermission,
  type PermissionMatcher,
  parsePermission,
} from "./permissions.js";
import { isRoleName, normaliseRole } from "./role-names.js";

/** One role of {@link defineRoles}. */
export interface RoleDefinition {
  /** Permissions granted; wildcards allowed (`org:invoices:*`, `org:*`). */
  readonly permissions: readonly string[];
  /** Roles whose permissions this role also holds (and whose requirements it satisfies). @default [] */
  readonly inherits?: readonly string[];
  /** A human description, for admin screens. */
  readonly description?: string;
}

/** Options of {@link defineRoles}. */
export interface DefineRolesOptions {
  /** Roles by key (`org:admin`; the `org:` prefix is optional). */
  readonly roles: Readonly<Record<string, RoleDefinition>>;
  /**
   * The roles that count as organization admin (`requireOrgAdmin`); a role
   * inheriting one of them counts too.
   * @default those of `org:owner` and `org:admin` that are defined
   */
  readonly admins?: readonly string[];
  /**
   * The permission catalog. When given, every permission a role grants must be
   * in it (a wildcard must cover at least one catalog entry), and so must
   * every permission a guard requires.
   * @default no catalog
   */
  readonly permissions?: readonly string[];
}

/** A frozen, validated set of roles. Every method accepts role keys with or without `org:`. */
export interface RoleSet {
  /** Every role key, normalised (`org:admin`). */
  readonly roles: readonly string[];
  /** The admin role keys. */
  readonly admins: readonly string[];
  /** The permission catalog, or `null` when none was configured. */
  readonly catalog: readonly string[] | null;
  /** Whether the role is defined. */
  has(role: string): boolean;
  /** The role's grants, inheritance resolved (wildcards kept); `[]` for an unknown role. */
  permissionsOf(role: string): readonly string[];
  /** The compiled grants of a role, or `undefined` for an unknown role. */
  matcherOf(role: string): PermissionMatcher | undefined;
  /** The roles `role` inherits, transitively, itself excluded; `[]` for an unknown role. */
  inheritedBy(role: string): readonly string[];
  /** Whether holding `held` satisfies a requirement for `required` (equal, or `held` inherits it). */
  satisfiesRole(held: string, required: string): boolean;
  /** Whether `role` is an admin role or inherits one. */
  isAdmin(role: string): boolean;
  /** The description of a role. */
  describe(role: string): string | undefined;
}

const FACTORY = "defineRoles()";

const roleSchema = z.strictObject({
  permissions: z.array(z.string()).max(1000),
  inherits: z.array(z.string()).max(100).optional(),
  description: z.string().max(1000).optional(),
});

const schema = z.strictObject({
  roles: z.record(z.string(), roleSchema),
  admins: z.array(z.string()).optional(),
  permissions: z.array(z.string()).max(10_000).optional(),
});

interface ResolvedRole {
  readonly permissions: readonly string[];
  readonly matcher: PermissionMatcher;
  readonly ancestors: ReadonlySet<string>;
  readonly inherited: readonly string[];
  readonly description: string | undefined;
}

/**
 * What is wrong with a permission granted by a role or custom role: malformed,
 * or outside the catalog when there is one. `null` when it is fine.
 */
export function grantProblem(
  catalog: ReadonlySet<string> | null,
  permission: unknown,
): string | null {
  const parsed = parsePermission(permission, { wildcard: true });
  if (parsed === null) {
    return `permission ${JSON.stringify(permission)} is malformed (expected "org:<feature>:<action>" or "<feature>:<action>", lowercase a-z 0-9 _ -, "*" only as a grant wildcard)`;
  }
  if (catalog === null) return null;
  if (parsed.feature === "*" || parsed.action === "*") {
    const wildcard = compileGrants([parsed.value]);
    for (const entry of catalog) if (wildcard.grants(entry)) return null;
    return `permission "${parsed.value}" covers no permission of the catalog`;
  }
  return catalog.has(parsed.value)
    ? null
    : `permission "${parsed.value}" is not in the permission catalog`;
}

/**
 * Defines the application's roles, validated at start-up: an unknown role in
 * `inherits` or `admins`, an inheritance cycle, a malformed permission or one
 * outside the catalog throws `config_invalid` naming it.
 *
 * @example
 * ```ts
 * const roles = defineRoles({
 *   roles: {
 *     ...defaultRoles(),
 *     "org:accountant": { permissions: ["org:invoices:*"], inherits: ["org:member"] },
 *   },
 * });
 * roles.permissionsOf("accountant"); // ["org:invoices:*", "org:sys_memberships:read", …]
 * ```
 */
export function defineRoles(options: DefineRolesOptions): RoleSet {
  const o = parseOptions(FACTORY, schema, options);

  let catalog: Set<string> | null = null;
  if (o.permissions !== undefined) {
    catalog = new Set();
    for (const p of o.permissions) {
      const parsed = parsePermission(p);
      if (parsed === null) {
        configError(
          FACTORY,
          `option "permissions": catalog entry ${JSON.stringify(p)} is malformed (no wildcards in a catalog)`,
        );
      }
      catalog.add(parsed.value);
    }
  }

  const defs = new Map<
    string,
    { permissions: string[]; inherits: string[]; description?: string }
  >();
  for (const [key, def] of Object.entries(o.roles)) {
    if (!isRoleName(key)) {
      configError(
        FACTORY,
        `role key ${JSON.stringify(key)} is malformed (expected "org:<name>", lowercase a-z 0-9 _ -)`,
      );
    }
    const name = normaliseRole(key);
    if (defs.has(name)) configError(FACTORY, `role "${name}" is defined twice`);
    const permissions: string[] = [];
    for (const p of def.permissions) {
      const problem = grantProblem(catalog, p);
      if (problem !== null) configError(FACTORY, `role "${name}": ${problem}`);
      const value = normalisePermission(p);
      if (!permissions.includes(value)) permissions.push(value);
    }
    const inherits = (def.inherits ?? []).map((r) => (isRoleName(r) ? normaliseRole(r) : r));
    defs.set(name, { permissions, inherits, description: def.description });
  }
  if (defs.size === 0) configError(FACTORY, `option "roles": define at least one role`);
  for (const [name, def] of defs) {
    for (const parent of def.inherits) {
      if (!defs.has(parent))
        configError(FACTORY, `role "${name}" inherits unknown role "${parent}"`);
    }
  }

  // Resolve inheritance depth-first; a grey node met again is a cycle, named in full.
  const resolved = new Map<string, ResolvedRole>();
  const visiting: string[] = [];
  const resolve = (name: string): ResolvedRole => {
    const done = resolved.get(name);
    if (done !== undefined) return done;
    const at = visiting.indexOf(name);
    if (at !== -1) {
      configError(FACTORY, `role inheritance cycle: ${[...visiting.slice(at), name].join(" → ")}`);
    }
    visiting.push(name);
    const def = defs.get(name)!;
    const permissions = [...def.permissions];
    const ancestors = new Set<string>();
    for (const parent of def.inherits) {
      const p = resolve(parent);
      ancestors.add(parent);
      for (const a of p.ancestors) ancestors.add(a);
      for (const perm of p.permissions) if (!permissions.includes(perm)) permissions.push(perm);
    }
    visiting.pop();
    const role: ResolvedRole = Object.freeze({
      permissions: Object.freeze(permissions),
      matcher: compileGrants(permissions),
      ancestors,
      inherited: Object.freeze([...ancestors]),
      description: def.description,
    });
    resolved.set(name, role);
    return role;
  };
  for (const name of defs.keys()) resolve(name);

  let admins: string[];
  if (o.admins === undefined) {
    admins = ["org:owner", "org:admin"].filter((r) => defs.has(r));
  } else {
    admins = [];
    for (const a of o.admins) {
      const name = isRoleName(a) ? normaliseRole(a) : a;
      if (!defs.has(name)) configError(FACTORY, `option "admins": unknown role "${name}"`);
      if (!admins.includes(name)) admins.push(name);
    }
  }

  const get = (role: string): ResolvedRole | undefined =>
    typeof role === "string" ? resolved.get(normaliseRole(role)) : undefined;
  const EMPTY: readonly string[] = Object.freeze([]);
  const satisfiesRole = (held: string, required: string): boolean => {
    if (typeof held !== "string" || typeof required !== "string") return false;
    const h = normaliseRole(held);
    const r = normaliseRole(required);
    if (h === r) return resolved.has(h);
    return resolved.get(h)?.ancestors.has(r) === true;
  };
  const frozenAdmins = Object.freeze(admins);

  return Object.freeze({
    roles: Object.freeze([...defs.keys()]),
    admins: frozenAdmins,
    catalog: catalog === null ? null : Object.freeze([...catalog]),
    has: (role: string) => get(role) !== undefined,
    permissionsOf: (role: string) => get(role)?.permissions ?? EMPTY,
    matcherOf: (role: string) => get(role)?.matcher,
    inheritedBy: (role: string) => get(role)?.inherited ?? EMPTY,
    satisfiesRole,
    isAdmin: (role: string) => frozenAdmins.some((a) => satisfiesRole(role, a)),
    describe: (role: string) => get(role)?.description,
  });
}

/**
 * Clerk's system permissions that {@link defaultRoles} grant, for a catalog:
 * `defineRoles({ roles: defaultRoles(), permissions: [...defaultPermissions(), …] })`.
 */
export function defaultPermissions(): string[] {
  return [
    "org:sys_profile:manage",
    "org:sys_profile:delete",
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_domains:read",
    "org:sys_domains:manage",
    "org:sys_billing:read",
    "org:sys_billing:manage",
  ];
}

/**
 * Three roles to start from, modelled on Clerk's defaults: `org:member`
 * (read), `org:admin` (inherits member; manages the organization) and
 * `org:owner` (inherits admin; every `org:` permission). Spread them to rename
 * or extend; the result is a fresh object each call.
 *
 * @example
 * ```ts
 * const { "org:member": member, ...rest } = defaultRoles();
 * defineRoles({ roles: { ...rest, "org:member": { ...member, permissions: [...member.permissions, "org:invoices:read"] } } });
 * ```
 */
export function defaultRoles(): Record<string, RoleDefinition> {
  return {
    "org:owner": {
      permissions: ["org:*"],
      inherits: ["org:admin"],
      description: "Owns the organization: every organization permission.",
    },
    "org:admin": {
      permissions: [
        "org:sys_profile:manage",
        "org:sys_memberships:manage",
        "org:sys_domains:read",
        "org:sys_domains:manage",
        "org:sys_billing:read",
        "org:sys_billing:manage",
      ],
      inherits: ["org:member"],
      description: "Manages the organization's profile, members, domains and billing.",
    },
    "org:member": {
      permissions: ["org:sys_memberships:read"],
      description: "Belongs to the organization and can read its members.",
    },
  };
}

/**
 * Checks, at start-up, that a permission a guard requires can be granted:
 * valid and wildcard-free, in the catalog when one is configured, and else
 * granted by at least one role (wildcards count). Custom roles can only grant
 * catalog permissions, so with a catalog, catalog membership suffices.
 *
 * @returns the normalised permission.
 * @throws GatehouseError `config_invalid` naming the permission.
 * @example
 * ```ts
 * const required = assertGrantable(roles, "org:invoices:read");
 * ```
 */
export function assertGrantable(
  roleSet: RoleSet,
  permission: string,
  factory = "assertGrantable()",
): string {
  const parsed = parsePermission(permission);
  if (parsed === null) {
    configError(
      factory,
      `permission ${JSON.stringify(permission)} is malformed (expected "org:<feature>:<action>" or "<feature>:<action>", no wildcards in a requirement)`,
    );
  }
  const value = parsed.value;
  if (roleSet.catalog !== null) {
    if (!roleSet.catalog.includes(value)) {
      configError(factory, `permission "${value}" is not in the permission catalog`);
    }
    return value;
  }
  if (!roleSet.roles.some((r) => roleSet.matcherOf(r)?.grants(value))) {
    configError(factory, `permission "${value}" is granted by no role`);
  }
  return value;
}
