/**
 * The RecordStore models `syncClerk` mirrors Clerk into. Each record is keyed
 * by its Clerk id (`clerkId`, unique), remembers the `timestamp` of the event
 * that last wrote it (`eventTimestamp`, the ordering key), is soft-deleted
 * (`deletedAt`), and keeps Clerk's raw `data` next to the columns apps query.
 *
 * @packageDocumentation
 */
import { defineModel, type StoredRecord } from "@gatehouse/core/store";

const sync = {
  /** The Clerk id (`user_…`, `org_…`, `orgmem_…`). */
  clerkId: { type: "string", required: true, unique: true },
  /** `timestamp` (ms) of the Clerk event that last wrote the record. */
  eventTimestamp: { type: "timestamp", required: true },
  /** Clerk's `updated_at` at that event (breaks ties between events of the same millisecond). */
  clerkUpdatedAt: { type: "timestamp" },
  clerkCreatedAt: { type: "timestamp" },
  /** When Clerk deleted it (the event's timestamp); `null` while it exists. */
  deletedAt: { type: "timestamp", indexed: true },
  /** The last full `data` Clerk sent (raw JSON). */
  data: { type: "json" },
} as const;

/**
 * Clerk users (`gh_clerk_user`). Migrate it with your store adapter
 * (or pass {@link clerkSyncModels}).
 *
 * @example
 * ```ts
 * const user = await records.findOne(clerkUserModel, { clerkId: "user_2x" });
 * console.log(user?.primaryEmail, user?.deletedAt);
 * ```
 */
export const clerkUserModel = defineModel({
  name: "gh_clerk_user",
  fields: {
    ...sync,
    /** The primary email address, as Clerk spells it. */
    primaryEmail: { type: "string", indexed: true },
    /** Every email address (string array). */
    emailAddresses: { type: "json" },
    firstName: { type: "string" },
    lastName: { type: "string" },
    username: { type: "string", indexed: true },
    imageUrl: { type: "string" },
    externalId: { type: "string", indexed: true },
    publicMetadata: { type: "json" },
    unsafeMetadata: { type: "json" },
  },
});

/**
 * Clerk organizations (`gh_clerk_org`).
 *
 * @example
 * ```ts
 * const org = await records.findOne(clerkOrganizationModel, { slug: "acme" });
 * ```
 */
export const clerkOrganizationModel = defineModel({
  name: "gh_clerk_org",
  fields: {
    ...sync,
    name: { type: "string" },
    slug: { type: "string", indexed: true },
    imageUrl: { type: "string" },
    membersCount: { type: "integer" },
    createdBy: { type: "string" },
    publicMetadata: { type: "json" },
  },
});

/**
 * Clerk organization memberships (`gh_clerk_membership`), with the Clerk ids
 * of their organization and user.
 *
 * @example
 * ```ts
 * const page = await records.findMany(clerkMembershipModel, { where: { orgId: "org_2x", deletedAt: null } });
 * ```
 */
export const clerkMembershipModel = defineModel({
  name: "gh_clerk_membership",
  fields: {
    ...sync,
    /** The organization's Clerk id. */
    orgId: { type: "string", indexed: true },
    /** The user's Clerk id. */
    userId: { type: "string", indexed: true },
    /** The role key (`org:admin`). */
    role: { type: "string" },
    /** The role's permission keys (string array). */
    permissions: { type: "json" },
    publicMetadata: { type: "json" },
  },
});

/**
 * The three models of {@link syncClerk}: list them in your SQL store's `models`.
 *
 * @example
 * ```ts
 * const store = createSqliteStore("app.db", { models: [...clerkSyncModels, ...otherModels] });
 * ```
 */
export const clerkSyncModels = Object.freeze([
  clerkUserModel,
  clerkOrganizationModel,
  clerkMembershipModel,
] as const);

/**
 * A mirrored Clerk user.
 *
 * @example
 * ```ts
 * const email = (u: ClerkUserRecord) => u.primaryEmail;
 * ```
 */
export type ClerkUserRecord = StoredRecord<typeof clerkUserModel>;
/**
 * A mirrored Clerk organization.
 *
 * @example
 * ```ts
 * const slug = (o: ClerkOrganizationRecord) => o.slug;
 * ```
 */
export type ClerkOrganizationRecord = StoredRecord<typeof clerkOrganizationModel>;
/**
 * A mirrored Clerk membership.
 *
 * @example
 * ```ts
 * const isAdmin = (m: ClerkMembershipRecord) => m.role === "org:admin" && m.deletedAt === null;
 * ```
 */
export type ClerkMembershipRecord = StoredRecord<typeof clerkMembershipModel>;
