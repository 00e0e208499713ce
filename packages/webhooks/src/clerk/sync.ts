/**
 * Mirroring Clerk users, organizations and memberships into the host's
 * RecordStore from webhooks, in any delivery order.
 *
 * @packageDocumentation
 */
import { parseOptions } from "@gatehouse/core";
import type { JsonValue, ModelSchema, RecordPatch, RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import type { WebhookReceiver } from "../inbound/types.js";
import type { ClerkEventSchemas, ClerkWebhookEvent } from "./events.js";
import { type MirrorChange, mirror } from "./mirror.js";
import { clerkMembershipModel, clerkOrganizationModel, clerkUserModel } from "./models.js";
import type { ClerkOrganization, ClerkOrganizationMembership } from "./organization.js";
import type { ClerkUser } from "./user.js";

/**
 * Options of {@link syncClerk}.
 *
 * @example
 * ```ts
 * syncClerk(receiver, { records: store.records } satisfies SyncClerkOptions);
 * ```
 */
export interface SyncClerkOptions {
  /** Where the mirror lives; it must serve {@link clerkSyncModels} (migrated). */
  readonly records: RecordStore;
}

/**
 * Anything that registers typed Clerk handlers: a receiver built with the Clerk schemas.
 *
 * @example
 * ```ts
 * const target: ClerkHandlerTarget = createWebhookReceiver({ secrets, kv });
 * ```
 */
export type ClerkHandlerTarget = Pick<WebhookReceiver<ClerkEventSchemas>, "on">;

const schema = z.strictObject({
  records: z.custom<RecordStore>(
    (v) => typeof (v as RecordStore | undefined)?.findOne === "function",
    "expected a RecordStore",
  ),
});

const json = (value: unknown) => value as JsonValue;

/** A whole, non-negative millisecond count, else null (what a timestamp column holds). */
function timestamp(value: unknown): number | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const ms = Math.trunc(value);
  return ms >= 0 && Number.isSafeInteger(ms) ? ms : null;
}

function userFields(user: ClerkUser): RecordPatch<typeof clerkUserModel> {
  const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id);
  return {
    primaryEmail: primary?.email_address ?? null,
    emailAddresses: user.email_addresses.map((e) => e.email_address),
    firstName: user.first_name,
    lastName: user.last_name,
    username: user.username ?? null,
    imageUrl: user.image_url ?? null,
    externalId: user.external_id ?? null,
    publicMetadata: json(user.public_metadata),
    unsafeMetadata: json(user.unsafe_metadata),
    clerkCreatedAt: timestamp(user.created_at),
    data: json(user),
  };
}

function organizationFields(org: ClerkOrganization): RecordPatch<typeof clerkOrganizationModel> {
  return {
    name: org.name,
    slug: org.slug,
    imageUrl: org.image_url ?? null,
    membersCount: org.members_count ?? null,
    createdBy: org.created_by ?? null,
    publicMetadata: json(org.public_metadata),
    clerkCreatedAt: timestamp(org.created_at),
    data: json(org),
  };
}

function membershipFields(
  m: ClerkOrganizationMembership,
): RecordPatch<typeof clerkMembershipModel> {
  return {
    orgId: m.organization.id,
    userId: m.public_user_data.user_id,
    role: m.role,
    permissions: m.permissions ?? null,
    publicMetadata: json(m.public_metadata),
    clerkCreatedAt: timestamp(m.created_at),
    data: json(m),
  };
}

function change<M extends ModelSchema>(
  event: { timestamp: number; data: { id?: string | undefined; updated_at?: unknown } },
  deleted: boolean,
  fields: RecordPatch<M>,
): MirrorChange<M> {
  return {
    clerkId: event.data.id!,
    eventTimestamp: event.timestamp,
    clerkUpdatedAt: timestamp(event.data.updated_at),
    deleted,
    fields,
  };
}

/**
 * Registers handlers on `receiver` that mirror Clerk users, organizations and
 * memberships into `records` ({@link clerkUserModel},
 * {@link clerkOrganizationModel}, {@link clerkMembershipModel}): upsert on
 * `*.created` / `*.updated`, soft delete (`deletedAt`) on `*.deleted`.
 *
 * Deliveries may come late, twice or at once: every record keeps the
 * `timestamp` of the event that wrote it, an older event never overwrites a
 * newer one (a late `created` does not revive a deleted user; a `deleted`
 * that arrives first leaves a tombstone the `created` then respects), and
 * concurrent writes are serialised by version checks. Returns a function that
 * removes the handlers.
 *
 * Not cascaded: deleting an organization or a user does not touch its
 * memberships here; Clerk sends `organizationMembership.deleted` for those it removes.
 *
 * @example
 * ```ts
 * const store = createSqliteStore("app.db", { models: [...clerkSyncModels] });
 * await store.migrate();
 * const receiver = createWebhookReceiver({ secrets: process.env.CLERK_WEBHOOK_SECRET!, kv: store.kv });
 * syncClerk(receiver, { records: store.records });
 * ```
 */
export function syncClerk(receiver: ClerkHandlerTarget, options: SyncClerkOptions): () => void {
  const { records } = parseOptions("syncClerk()", schema, options);

  const upsertUser = async (e: ClerkWebhookEvent<"user.created" | "user.updated">) => {
    await mirror(records, clerkUserModel, change(e, false, userFields(e.data)));
  };
  const upsertOrg = async (
    e: ClerkWebhookEvent<"organization.created" | "organization.updated">,
  ) => {
    await mirror(records, clerkOrganizationModel, change(e, false, organizationFields(e.data)));
  };
  const writeMembership =
    (deleted: boolean) =>
    async (
      e: ClerkWebhookEvent<
        | "organizationMembership.created"
        | "organizationMembership.updated"
        | "organizationMembership.deleted"
      >,
    ) => {
      await mirror(records, clerkMembershipModel, change(e, deleted, membershipFields(e.data)));
    };

  const off = [
    receiver.on("user.created", upsertUser),
    receiver.on("user.updated", upsertUser),
    receiver.on("user.deleted", async (e) => {
      if (e.data.id === undefined) return;
      await mirror(records, clerkUserModel, change(e, true, {}));
    }),
    receiver.on("organization.created", upsertOrg),
    receiver.on("organization.updated", upsertOrg),
    receiver.on("organization.deleted", async (e) => {
      if (e.data.id === undefined) return;
      await mirror(records, clerkOrganizationModel, change(e, true, {}));
    }),
    receiver.on("organizationMembership.created", writeMembership(false)),
    receiver.on("organizationMembership.updated", writeMembership(false)),
    receiver.on("organizationMembership.deleted", writeMembership(true)),
  ];
  return () => {
    for (const remove of off) remove();
  };
}
