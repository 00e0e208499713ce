/**
 * Custom roles created at runtime, per organization, in the RecordStore;
 * served from a bounded per-organization cache that other instances
 * invalidate through a version counter in the KeyValueStore.
 *
 * @packageDocumentation
 */
import { type Clock, GatehouseError, parseOptions, systemClock } from "@gatehouse/core";
import {
  defineModel,
  type KeyValueStore,
  type RecordStore,
  type StoredRecord,
} from "@gatehouse/core/store";
import { z } from "zod";
import { checkId, checkRoleKey, membershipModel } from "./memberships.js";
import { compileGrants, normalisePermission, type PermissionMatcher } from "./permissions.js";
import { normaliseRole } from "./role-names.js";
import { grantProblem, type RoleSet } from "./roles.js";

/** The RecordStore model of custom roles (`gh_rbac_role`); migrate it with your adapter. */
export const customRoleModel = defineModel({
  name: "gh_rbac_role",
  fields: {
    orgId: { type: "string", required: true, indexed: true },
    /** Normalised role key (`org:accountant`). */
    name: { type: "string", required: true },
    /** `${orgId}/${name}`: one role of a name per organization. */
    orgKey: { type: "string", required: true, unique: true },
    /** The role's own grants (string array). */
    permissions: { type: "json", required: true },
    /** Built-in roles it inherits (string array). */
    inherits: { type: "json" },
    description: { type: "string" },
  },
});

/** A custom role of one organization. */
export interface CustomRole {
  readonly id: string;
  readonly orgId: string;
  /** Normalised role key (`org:accountant`). */
  readonly name: string;
  /** Its own grants (wildcards allowed). */
  readonly permissions: readonly string[];
  /** Built-in roles it inherits. */
  readonly inherits: readonly string[];
  readonly description: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A custom role with its inheritance resolved, as the authorizer uses it. */
export interface ResolvedCustomRole {
  readonly role: CustomRole;
  /** Its own grants plus those of the built-in roles it inherits. */
  readonly permissions: readonly string[];
  readonly matcher: PermissionMatcher;
  /** Built-in roles it inherits, transitively. */
  readonly ancestors: ReadonlySet<string>;
}

/** What {@link CustomRoles.delete} does with the members who hold the role. */
export type OnMembers = "refuse" | { readonly reassignTo: string };

/** Options of {@link createCustomRoles}. */
export interface CustomRolesOptions {
  /** Where custom roles (and memberships, for rename/delete) live. */
  readonly records: RecordStore;
  /** Holds the per-organization version counters `rbac:roles:v:<orgId>`; share it across instances. */
  readonly kv: KeyValueStore;
  /** The built-in roles: custom roles may not shadow them and may inherit them. */
  readonly roles: RoleSet;
  /** @default the system clock */
  readonly clock?: Clock;
  /**
   * Hard bound on staleness: a cached organization older than this is read
   * again from the RecordStore whatever its counter says (catches edits made
   * outside this API). @default 5000
   */
  readonly cacheTtlMs?: number;
  /**
   * How often a cached organization re-reads its version counter (one KV
   * read); a changed counter refetches. A change made through any instance is
   * seen by every other instance within this interval. At most `cacheTtlMs`.
   * @default 1000
   */
  readonly checkIntervalMs?: number;
  /** Most organizations kept in the cache (oldest evicted). @default 1000 */
  readonly maxCachedOrgs?: number;
  /** Most custom roles per organization. @default 200 */
  readonly maxRolesPerOrg?: number;
}

/** Runtime custom roles per organization. */
export interface CustomRoles {
  /** The built-in roles these custom roles extend. */
  readonly roles: RoleSet;
  /**
   * Creates a custom role. Rejects with `store_duplicate` when the name is a
   * built-in role or already used in the organization, and `config_invalid`
   * (status 400) for a malformed name or permission, one outside the catalog,
   * or an `inherits` entry that is not a built-in role.
   */
  create(
    orgId: string,
    name: string,
    permissions: readonly string[],
    options?: { readonly inherits?: readonly string[]; readonly description?: string },
  ): Promise<CustomRole>;
  /** Renames a custom role and moves its members to the new name. */
  rename(orgId: string, from: string, to: string): Promise<CustomRole>;
  /** Replaces a custom role's own permissions. */
  setPermissions(orgId: string, name: string, permissions: readonly string[]): Promise<CustomRole>;
  /**
   * Deletes a custom role; resolves whether it existed. Members holding it:
   * `refuse` (default) rejects with `store_conflict` naming how many;
   * `{ reassignTo }` moves them to another (built-in or custom) role first.
   */
  delete(
    orgId: string,
    name: string,
    options?: { readonly onMembers?: OnMembers },
  ): Promise<boolean>;
  /** The organization's custom roles, read from the store (not the cache). */
  list(orgId: string): Promise<CustomRole[]>;
  /**
   * The permissions of a role in an organization (built-in or custom,
   * inheritance resolved), from the cache; `undefined` for an unknown role.
   */
  permissionsOf(orgId: string, role: string): Promise<readonly string[] | undefined>;
  /** A custom role of the organization, resolved, from the cache; `undefined` if there is none. */
  resolve(orgId: string, role: string): Promise<ResolvedCustomRole | undefined>;
}

const FACTORY = "createCustomRoles()";

const schema = z
  .strictObject({
    records: z.custom<RecordStore>(
      (v) => typeof (v as RecordStore | undefined)?.findMany === "function",
      "expected a RecordStore",
    ),
    kv: z.custom<KeyValueStore>(
      (v) => typeof (v as KeyValueStore | undefined)?.increment === "function",
      "expected a KeyValueStore",
    ),
    roles: z.custom<RoleSet>(
      (v) => typeof (v as RoleSet | undefined)?.satisfiesRole === "function",
      "expected a RoleSet from defineRoles()",
    ),
    clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === "function").optional(),
    cacheTtlMs: z.number().int().positive().max(3_600_000).default(5000),
    checkIntervalMs: z.number().int().positive().optional(),
    maxCachedOrgs: z.number().int().positive().max(1_000_000).default(1000),
    maxRolesPerOrg: z.number().int().positive().max(1000).default(200),
  })
  .refine((o) => o.checkIntervalMs === undefined || o.checkIntervalMs <= o.cacheTtlMs, {
    path: ["checkIntervalMs"],
    message: "must be at most cacheTtlMs",
  });

interface CacheEntry {
  readonly roles: ReadonlyMap<string, ResolvedCustomRole>;
  /** The counter value read before the roles were fetched. */
  readonly version: number | undefined;
  readonly fetchedAt: number;
  checkedAt: number;
}

function badInput(message: string): never {
  throw new GatehouseError("config_invalid", message, { status: 400 });
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * Runtime custom roles per organization, stored in the RecordStore.
 *
 * Caching contract: reads (`permissionsOf`, `resolve`, and so the
 * authorizer) are served from a per-organization cache. A change made through
 * this instance is visible at once; one made through another instance sharing
 * the same `kv` is visible after at most `checkIntervalMs`; a change written to
 * the store behind this API's back after at most `cacheTtlMs`. Store failures
 * reject (guards fail closed).
 *
 * @example
 * ```ts
 * const customRoles = createCustomRoles({ records, kv, roles });
 * await customRoles.create("org_1", "accountant", ["org:invoices:*"], { inherits: ["org:member"] });
 * await customRoles.delete("org_1", "accountant", { onMembers: { reassignTo: "org:member" } });
 * ```
 */
export function createCustomRoles(options: CustomRolesOptions): CustomRoles {
  const o = parseOptions(FACTORY, schema, options);
  const { records, kv, roles } = o;
  const clock = o.clock ?? systemClock;
  const ttl = o.cacheTtlMs;
  const checkInterval = o.checkIntervalMs ?? Math.min(1000, ttl);
  const catalog = roles.catalog === null ? null : new Set(roles.catalog);
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<CacheEntry>>();

  const versionKey = (orgId: string) => `rbac:roles:v:${encodeURIComponent(orgId)}`;

  function checkName(name: unknown): string {
    const role = checkRoleKey(name);
    if (roles.has(role)) {
      throw new GatehouseError(
        "store_duplicate",
        `custom role "${role}" would shadow the built-in role of that name`,
      );
    }
    return role;
  }

  function checkPermissions(name: string, permissions: unknown): string[] {
    if (!Array.isArray(permissions))
      badInput(`custom role "${name}": permissions must be an array`);
    if (permissions.length > 1000) badInput(`custom role "${name}": at most 1000 permissions`);
    const out: string[] = [];
    for (const p of permissions) {
      const problem = grantProblem(catalog, p);
      if (problem !== null) badInput(`custom role "${name}": ${problem}`);
      const value = normalisePermission(p as string);
      if (!out.includes(value)) out.push(value);
    }
    return out;
  }

  function checkInherits(name: string, inherits: unknown): string[] {
    if (inherits === undefined) return [];
    if (!Array.isArray(inherits)) badInput(`custom role "${name}": inherits must be an array`);
    const out: string[] = [];
    for (const r of inherits) {
      if (typeof r !== "string" || !roles.has(r)) {
        badInput(
          `custom role "${name}": inherits ${JSON.stringify(r)}, which is not a built-in role`,
        );
      }
      const role = normaliseRole(r);
      if (!out.includes(role)) out.push(role);
    }
    return out;
  }

  function toCustomRole(r: StoredRecord<typeof customRoleModel>): CustomRole {
    return Object.freeze({
      id: r.id,
      orgId: r.orgId,
      name: r.name,
      permissions: Object.freeze(stringArray(r.permissions)),
      inherits: Object.freeze(stringArray(r.inherits)),
      description: r.description,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    });
  }

  function resolveRole(role: CustomRole): ResolvedCustomRole {
    const permissions = [...role.permissions];
    const ancestors = new Set<string>();
    for (const parent of role.inherits) {
      // A stored inherit that is no longer a built-in role grants nothing.
      if (!roles.has(parent)) continue;
      ancestors.add(parent);
      for (const a of roles.inheritedBy(parent)) ancestors.add(a);
      for (const p of roles.permissionsOf(parent))
        if (!permissions.includes(p)) permissions.push(p);
    }
    return Object.freeze({
      role,
      permissions: Object.freeze(permissions),
      matcher: compileGrants(permissions),
      ancestors,
    });
  }

  async function readAll(orgId: string): Promise<StoredRecord<typeof customRoleModel>[]> {
    const out: StoredRecord<typeof customRoleModel>[] = [];
    let cursor: string | undefined;
    do {
      const page = await records.findMany(customRoleModel, {
        where: { orgId },
        orderBy: { field: "name" },
        limit: 200,
        cursor,
      });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && out.length < 1000);
    return out;
  }

  async function fetch(orgId: string): Promise<CacheEntry> {
    // The counter is read first: a change racing this fetch bumps it after, so the next check refetches.
    const version = await kv.get<number>(versionKey(orgId));
    const rows = await readAll(orgId);
    const map = new Map<string, ResolvedCustomRole>();
    for (const row of rows) {
      // A stored role that shadows a built-in one (e.g. added to config later) is ignored.
      if (roles.has(row.name)) continue;
      map.set(row.name, resolveRole(toCustomRole(row)));
    }
    const now = clock.now();
    return {
      roles: map,
      version: typeof version === "number" ? version : undefined,
      fetchedAt: now,
      checkedAt: now,
    };
  }

  function store(orgId: string, entry: CacheEntry): void {
    cache.delete(orgId);
    if (cache.size >= o.maxCachedOrgs) cache.delete(cache.keys().next().value as string);
    cache.set(orgId, entry);
  }

  async function entryOf(orgId: string): Promise<CacheEntry> {
    const now = clock.now();
    const cached = cache.get(orgId);
    if (cached !== undefined && now - cached.fetchedAt < ttl) {
      if (now - cached.checkedAt < checkInterval) return cached;
      const version = await kv.get<number>(versionKey(orgId));
      if ((typeof version === "number" ? version : undefined) === cached.version) {
        cached.checkedAt = clock.now();
        return cached;
      }
    }
    let pending = inflight.get(orgId);
    if (pending === undefined) {
      const p = fetch(orgId).then(
        (entry) => {
          // Only the latest fetch (not one a local change superseded) fills the cache.
          if (inflight.get(orgId) === p) {
            inflight.delete(orgId);
            store(orgId, entry);
          }
          return entry;
        },
        (error: unknown) => {
          if (inflight.get(orgId) === p) inflight.delete(orgId);
          throw error;
        },
      );
      pending = p;
      inflight.set(orgId, p);
    }
    return pending;
  }

  async function changed(orgId: string): Promise<void> {
    cache.delete(orgId);
    inflight.delete(orgId);
    await kv.increment(versionKey(orgId));
    // Cover a fetch that began before the increment and completed after the delete above.
    cache.delete(orgId);
    inflight.delete(orgId);
  }

  async function findRole(orgId: string, name: string) {
    return records.findOne(customRoleModel, { orgKey: `${orgId}/${name}` });
  }

  async function requireRole(orgId: string, name: string) {
    const row = await findRole(orgId, name);
    if (row === undefined) {
      throw new GatehouseError(
        "store_not_found",
        `no custom role "${name}" in organization "${orgId}"`,
      );
    }
    return row;
  }

  /** Moves every member of `orgId` holding `from` to `to`; resolves how many. */
  async function moveMembers(orgId: string, from: string, to: string): Promise<number> {
    let moved = 0;
    for (;;) {
      // Moved members drop out of the filter, so the first page is always the next batch.
      const page = await records.findMany(membershipModel, {
        where: { orgId, role: from },
        limit: 200,
      });
      if (page.items.length === 0) return moved;
      for (const m of page.items) {
        await records.update(membershipModel, m.id, { role: to });
        moved++;
      }
    }
  }

  async function countMembers(orgId: string, role: string): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await records.findMany(membershipModel, {
        where: { orgId, role },
        limit: 1000,
        cursor,
      });
      count += page.items.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return count;
  }

  async function resolve(orgId: string, role: string): Promise<ResolvedCustomRole | undefined> {
    if (typeof orgId !== "string" || orgId === "" || orgId.includes("/")) return undefined;
    if (typeof role !== "string") return undefined;
    return (await entryOf(orgId)).roles.get(normaliseRole(role));
  }

  return Object.freeze({
    roles,

    async create(orgId, name, permissions, extra = {}) {
      checkId("orgId", orgId);
      const role = checkName(name);
      const perms = checkPermissions(role, permissions);
      const inherits = checkInherits(role, extra.inherits);
      if (extra.description !== undefined && typeof extra.description !== "string") {
        badInput(`custom role "${role}": description must be a string`);
      }
      const existing = await records.findMany(customRoleModel, {
        where: { orgId },
        limit: o.maxRolesPerOrg,
      });
      if (existing.items.length >= o.maxRolesPerOrg) {
        badInput(`organization "${orgId}" already has ${o.maxRolesPerOrg} custom roles`);
      }
      const row = await records.create(customRoleModel, {
        orgId,
        name: role,
        orgKey: `${orgId}/${role}`,
        permissions: perms,
        inherits,
        description: extra.description ?? null,
      });
      await changed(orgId);
      return toCustomRole(row);
    },

    async rename(orgId, from, to) {
      checkId("orgId", orgId);
      const source = checkRoleKey(from);
      const target = checkName(to);
      const row = await requireRole(orgId, source);
      if (source === target) return toCustomRole(row);
      const updated = await records.update(
        customRoleModel,
        row.id,
        { name: target, orgKey: `${orgId}/${target}` },
        { expectedVersion: row.version },
      );
      try {
        await moveMembers(orgId, source, target);
      } finally {
        await changed(orgId);
      }
      return toCustomRole(updated);
    },

    async setPermissions(orgId, name, permissions) {
      checkId("orgId", orgId);
      const role = checkRoleKey(name);
      const perms = checkPermissions(role, permissions);
      const row = await requireRole(orgId, role);
      const updated = await records.update(customRoleModel, row.id, { permissions: perms });
      await changed(orgId);
      return toCustomRole(updated);
    },

    async delete(orgId, name, extra = {}) {
      checkId("orgId", orgId);
      const role = checkRoleKey(name);
      const onMembers = extra.onMembers ?? "refuse";
      const row = await findRole(orgId, role);
      if (row === undefined) return false;
      if (onMembers === "refuse") {
        const held = await countMembers(orgId, role);
        if (held > 0) {
          throw new GatehouseError(
            "store_conflict",
            `custom role "${role}" is held by ${held} member${held === 1 ? "" : "s"} of organization "${orgId}"; reassign them first or pass onMembers: { reassignTo }`,
          );
        }
      } else {
        if (typeof onMembers !== "object" || onMembers === null) {
          badInput(`delete(): onMembers must be "refuse" or { reassignTo: role }`);
        }
        const target = checkRoleKey(onMembers.reassignTo);
        if (target === role) badInput(`delete(): cannot reassign members of "${role}" to itself`);
        if (!roles.has(target) && (await findRole(orgId, target)) === undefined) {
          badInput(`delete(): reassignTo names unknown role "${target}"`);
        }
        await moveMembers(orgId, role, target);
      }
      const deleted = await records.delete(customRoleModel, row.id);
      await changed(orgId);
      return deleted;
    },

    async list(orgId) {
      checkId("orgId", orgId);
      return (await readAll(orgId)).map(toCustomRole);
    },

    async permissionsOf(orgId, role) {
      if (typeof role !== "string") return undefined;
      if (roles.has(role)) return roles.permissionsOf(role);
      return (await resolve(orgId, role))?.permissions;
    },

    resolve,
  } satisfies CustomRoles);
}
