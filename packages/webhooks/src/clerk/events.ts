/**
 * Every Clerk webhook event this package types: the runtime map
 * {@link clerkEventSchemas} (type name → envelope schema) and the type maps
 * derived from it. Names and shapes follow `WebhookEvent` in `@clerk/backend`.
 *
 * @see https://clerk.com/docs/guides/development/webhooks/overview#supported-webhook-events
 * @packageDocumentation
 */
import type { z } from "zod";
import { clerkDeletedObjectSchema, clerkEventSchema } from "./envelope.js";
import {
  clerkOrganizationDomainSchema,
  clerkOrganizationInvitationAcceptedSchema,
  clerkOrganizationInvitationSchema,
} from "./invitation.js";
import { clerkEmailSchema, clerkSmsMessageSchema } from "./messages.js";
import { clerkOrganizationMembershipSchema, clerkOrganizationSchema } from "./organization.js";
import {
  clerkPermissionDeletedSchema,
  clerkPermissionSchema,
  clerkRoleDeletedSchema,
  clerkRoleSchema,
} from "./roles.js";
import { clerkSessionSchema } from "./session.js";
import { clerkUserDeletedSchema, clerkUserSchema } from "./user.js";

/**
 * The schema of every Clerk event, by type name: pass it (the default) to
 * `createWebhookReceiver`, which validates each payload with the schema of its
 * `type` before a handler sees it.
 *
 * @example
 * ```ts
 * const event = clerkEventSchemas["user.created"].parse(payload);
 * event.data.email_addresses; // typed
 * ```
 */
export const clerkEventSchemas = Object.freeze({
  "user.created": clerkEventSchema("user.created", clerkUserSchema),
  "user.updated": clerkEventSchema("user.updated", clerkUserSchema),
  "user.deleted": clerkEventSchema("user.deleted", clerkUserDeletedSchema),
  "session.created": clerkEventSchema("session.created", clerkSessionSchema),
  "session.ended": clerkEventSchema("session.ended", clerkSessionSchema),
  "session.removed": clerkEventSchema("session.removed", clerkSessionSchema),
  "session.revoked": clerkEventSchema("session.revoked", clerkSessionSchema),
  "session.pending": clerkEventSchema("session.pending", clerkSessionSchema),
  "organization.created": clerkEventSchema("organization.created", clerkOrganizationSchema),
  "organization.updated": clerkEventSchema("organization.updated", clerkOrganizationSchema),
  "organization.deleted": clerkEventSchema("organization.deleted", clerkDeletedObjectSchema),
  "organizationMembership.created": clerkEventSchema(
    "organizationMembership.created",
    clerkOrganizationMembershipSchema,
  ),
  "organizationMembership.updated": clerkEventSchema(
    "organizationMembership.updated",
    clerkOrganizationMembershipSchema,
  ),
  "organizationMembership.deleted": clerkEventSchema(
    "organizationMembership.deleted",
    clerkOrganizationMembershipSchema,
  ),
  "organizationInvitation.created": clerkEventSchema(
    "organizationInvitation.created",
    clerkOrganizationInvitationSchema,
  ),
  "organizationInvitation.accepted": clerkEventSchema(
    "organizationInvitation.accepted",
    clerkOrganizationInvitationAcceptedSchema,
  ),
  "organizationInvitation.revoked": clerkEventSchema(
    "organizationInvitation.revoked",
    clerkOrganizationInvitationSchema,
  ),
  "organizationDomain.created": clerkEventSchema(
    "organizationDomain.created",
    clerkOrganizationDomainSchema,
  ),
  "organizationDomain.updated": clerkEventSchema(
    "organizationDomain.updated",
    clerkOrganizationDomainSchema,
  ),
  "organizationDomain.deleted": clerkEventSchema(
    "organizationDomain.deleted",
    clerkDeletedObjectSchema,
  ),
  "role.created": clerkEventSchema("role.created", clerkRoleSchema),
  "role.updated": clerkEventSchema("role.updated", clerkRoleSchema),
  "role.deleted": clerkEventSchema("role.deleted", clerkRoleDeletedSchema),
  "permission.created": clerkEventSchema("permission.created", clerkPermissionSchema),
  "permission.updated": clerkEventSchema("permission.updated", clerkPermissionSchema),
  "permission.deleted": clerkEventSchema("permission.deleted", clerkPermissionDeletedSchema),
  "email.created": clerkEventSchema("email.created", clerkEmailSchema),
  "sms.created": clerkEventSchema("sms.created", clerkSmsMessageSchema),
});

/**
 * The type of {@link clerkEventSchemas}: the schema map a Clerk receiver is typed by.
 *
 * @example
 * ```ts
 * const receiver: WebhookReceiver<ClerkEventSchemas> = createWebhookReceiver({ secrets, kv });
 * ```
 */
export type ClerkEventSchemas = typeof clerkEventSchemas;

/**
 * The name of a Clerk event this package types (`"user.created"`, …).
 *
 * @example
 * ```ts
 * const type: ClerkEventType = "organizationMembership.created";
 * ```
 */
export type ClerkEventType = keyof ClerkEventSchemas;

/**
 * The `data` payload of each Clerk event, by type name.
 *
 * @example
 * ```ts
 * function onUser(data: ClerkWebhookEvents["user.updated"]) {
 *   return data.primary_email_address_id;
 * }
 * ```
 */
export type ClerkWebhookEvents = {
  [K in ClerkEventType]: z.output<ClerkEventSchemas[K]>["data"];
};

/**
 * A whole Clerk event (envelope and `data`) of type `K`, or of any type; a
 * union that narrows on `type`.
 *
 * @example
 * ```ts
 * function handle(event: ClerkWebhookEvent) {
 *   if (event.type === "user.deleted") console.log(event.data.id);
 * }
 * ```
 */
export type ClerkWebhookEvent<K extends ClerkEventType = ClerkEventType> = {
  [P in K]: z.output<ClerkEventSchemas[P]>;
}[K];

/**
 * Every Clerk event type this package types, in a stable order.
 *
 * @example
 * ```ts
 * for (const type of clerkEventTypes) console.log(type);
 * ```
 */
export const clerkEventTypes: readonly ClerkEventType[] = Object.freeze(
  Object.keys(clerkEventSchemas) as ClerkEventType[],
);
