/**
 * Inbound webhooks: a receiver with typed, idempotent handlers; Clerk's event
 * schemas and sample payloads; and the Clerk → RecordStore mirror.
 *
 * @packageDocumentation
 */
export {
  type ClerkDeletedObject,
  clerkDeletedObjectSchema,
  clerkEventSchema,
  clerkMetadata,
  clerkTimestamp,
} from "./clerk/envelope.js";
export {
  type ClerkEventSchemas,
  type ClerkEventType,
  type ClerkWebhookEvent,
  type ClerkWebhookEvents,
  clerkEventSchemas,
  clerkEventTypes,
} from "./clerk/events.js";
export {
  type ClerkSampleOverrides,
  clerkSampleEvent,
  clerkSampleEventTypes,
} from "./clerk/fixtures.js";
export {
  type ClerkOrganizationDomain,
  type ClerkOrganizationInvitation,
  type ClerkOrganizationInvitationAccepted,
  clerkOrganizationDomainSchema,
  clerkOrganizationInvitationAcceptedSchema,
  clerkOrganizationInvitationSchema,
} from "./clerk/invitation.js";
export {
  type ClerkEmail,
  type ClerkSmsMessage,
  clerkEmailSchema,
  clerkSmsMessageSchema,
} from "./clerk/messages.js";
export {
  type ClerkMembershipRecord,
  type ClerkOrganizationRecord,
  type ClerkUserRecord,
  clerkMembershipModel,
  clerkOrganizationModel,
  clerkSyncModels,
  clerkUserModel,
} from "./clerk/models.js";
export {
  type ClerkOrganization,
  type ClerkOrganizationMembership,
  clerkOrganizationMembershipSchema,
  clerkOrganizationSchema,
  clerkPublicUserDataSchema,
} from "./clerk/organization.js";
export {
  type ClerkPermission,
  type ClerkRole,
  clerkPermissionDeletedSchema,
  clerkPermissionSchema,
  clerkRoleDeletedSchema,
  clerkRoleSchema,
} from "./clerk/roles.js";
export { type ClerkSession, clerkSessionSchema } from "./clerk/session.js";
export { type ClerkHandlerTarget, type SyncClerkOptions, syncClerk } from "./clerk/sync.js";
export {
  type ClerkUser,
  type ClerkUserDeleted,
  clerkEmailAddressSchema,
  clerkExternalAccountSchema,
  clerkPhoneNumberSchema,
  clerkUserDeletedSchema,
  clerkUserSchema,
  clerkVerificationSchema,
} from "./clerk/user.js";
export type { WebhookFailedEvent, WebhookReceivedEvent } from "./inbound/events.js";
export type { WebhookIdempotencyOptions, WebhookReceiverOptions } from "./inbound/options.js";
export { createWebhookReceiver } from "./inbound/receiver.js";
export type {
  AnyWebhookEvent,
  UnknownWebhookEvent,
  WebhookContext,
  WebhookEventOf,
  WebhookHandler,
  WebhookOutcome,
  WebhookReceiver,
  WebhookRequest,
  WebhookResult,
  WebhookSchemas,
} from "./inbound/types.js";
