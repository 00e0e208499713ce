/**
 * The app's own membership records (user → organization → role), for tokens
 * that carry no organization claims (self-issued tokens, API keys, Clerk
 * sessions without an active organization).
 *
 * @packageDocumentation
 */
import { GatehouseError, parseOptions } from "@gatehouse/core";
import { defineModel, type Page, type RecordStore, type StoredRecord } from "@gatehouse/core/store";
import { z } from "zod";
import { isRoleName, normaliseRole } from "./role-names.js";

/** The RecordStore model of memberships (`gh_rbac_membership`); migrate it with your adapter. */
export const membershipModel = defineModel({
  name: "gh_rbac_membership",
  fields: {
    userId: { type: "string", required: true, indexed: true },
    orgId: { type: "string", required: true, indexed: true },
    role: { type: "string", required: true },
    /** `${orgId}/${userId}`: one membership per user and organization. */
    memberKey: { type: "string", required: true, unique: true },
  },
});

/** A stored membership. */
export interface Membership {
  readonly id: string;
  readonly orgId: string;
  readonly userId: string;
  /** Normalised role key (`org:member`). */
  readonly role: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Options of {@link createMemberships}. */
export interface MembershipsOptions {
  /** Where memberships live. */
  readonly records: RecordStore;
}

/** Membership records: who belongs to which organization, with which role. */
export interface Memberships {
  /** Adds a member; rejects with `store_duplicate` when the user is already one. */
  add(orgId: string, userId: string, role: string): Promise<Membership>;
  /** Changes a member's role; rejects with `store_not_found` when there is no such member. */
  setRole(orgId: string, userId: string, role: string): Promise<Membership>;
  /** Removes a member; resolves whether they were one. */
  remove(orgId: string, userId: string): Promise<boolean>;
  /** The member's role, or `undefined` when the user is not a member. */
  roleOf(orgId: string, userId: string): Promise<string | undefined>;
  /** A page of an organization's members, oldest first. */
  list(
    orgId: string,
    page?: { readonly cursor?: string; readonly limit?: number },
  ): Promise<Page<Membership>>;
}

const schema = z.strictObject({
  records: z.custom<RecordStore>(
    (v) => typeof v === "object" && v !== null && typeof (v as RecordStore).findOne === "function",
    "expected a RecordStore",
  ),
});

/** The unique key of a membership. */
export function memberKey(orgId: string, userId: string): string {
  return `${orgId}/${userId}`;
}

/**
 * Checks an id. An organization id may not hold `/`, so the unique keys
 * `${orgId}/${userId}` and `${orgId}/${role}` stay unambiguous.
 */
export function checkId(what: "orgId" | "userId", value: unknown): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > 256 ||
    (what === "orgId" && value.includes("/"))
  ) {
    throw new GatehouseError(
      "config_invalid",
      `${what} must be 1-256 characters${what === "orgId" ? ' without "/"' : ""}`,
      { status: 400 },
    );
  }
  return value;
}

/** Checks and normalises a role key for storage. */
export function checkRoleKey(role: unknown): string {
  if (!isRoleName(role)) {
    throw new GatehouseError(
      "config_invalid",
      `role ${JSON.stringify(role)} is malformed (expected "org:<name>", lowercase a-z 0-9 _ -)`,
      { status: 400 },
    );
  }
  return normaliseRole(role);
}

function toMembership(r: StoredRecord<typeof membershipModel>): Membership {
  return Object.freeze({
    id: r.id,
    orgId: r.orgId,
    userId: r.userId,
    role: r.role,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  });
}

/**
 * Membership records in the app's RecordStore. Roles are stored normalised
 * (`member` → `org:member`); whether a role exists is checked when it is
 * used (an unknown role grants nothing).
 *
 * @example
 * ```ts
 * const memberships = createMemberships({ records });
 * await memberships.add("org_1", "user_1", "org:member");
 * await memberships.roleOf("org_1", "user_1"); // "org:member"
 * ```
 */
export function createMemberships(options: MembershipsOptions): Memberships {
  const { records } = parseOptions("createMemberships()", schema, options);

  async function find(orgId: string, userId: string) {
    return records.findOne(membershipModel, {
      memberKey: memberKey(checkId("orgId", orgId), checkId("userId", userId)),
    });
  }

  return Object.freeze({
    async add(orgId: string, userId: string, role: string): Promise<Membership> {
      const r = await records.create(membershipModel, {
        orgId: checkId("orgId", orgId),
        userId: checkId("userId", userId),
        role: checkRoleKey(role),
        memberKey: memberKey(orgId, userId),
      });
      return toMembership(r);
    },
    async setRole(orgId: string, userId: string, role: string): Promise<Membership> {
      const normalised = checkRoleKey(role);
      const existing = await find(orgId, userId);
      if (existing === undefined) {
        throw new GatehouseError(
          "store_not_found",
          `user is not a member of organization "${orgId}"`,
        );
      }
      return toMembership(await records.update(membershipModel, existing.id, { role: normalised }));
    },
    async remove(orgId: string, userId: string): Promise<boolean> {
      const existing = await find(orgId, userId);
      return existing === undefined ? false : records.delete(membershipModel, existing.id);
    },
    async roleOf(orgId: string, userId: string): Promise<string | undefined> {
      if (typeof orgId !== "string" || typeof userId !== "string") return undefined;
      if (orgId === "" || orgId.includes("/") || userId === "") return undefined;
      return (await records.findOne(membershipModel, { memberKey: memberKey(orgId, userId) }))
        ?.role;
    },
    async list(
      orgId: string,
      page: { cursor?: string; limit?: number } = {},
    ): Promise<Page<Membership>> {
      const result = await records.findMany(membershipModel, {
        where: { orgId: checkId("orgId", orgId) },
        cursor: page.cursor,
        limit: page.limit,
      });
      return { items: result.items.map(toMembership), nextCursor: result.nextCursor };
    },
  });
}
