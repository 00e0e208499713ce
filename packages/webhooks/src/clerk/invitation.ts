/**
 * The `data` of `organizationInvitation.*` and `organizationDomain.*` events
 * (`OrganizationInvitationJSON`, `OrganizationInvitationAcceptedJSON`,
 * `OrganizationDomainJSON`). Statuses and modes are plain strings, so a new
 * value from Clerk is not refused.
 *
 * @packageDocumentation
 */
import { z } from "zod";
import { clerkMetadata, clerkTimestamp } from "./envelope.js";

/**
 * An invitation to an organization (`organizationInvitation.created` /
 * `.revoked`).
 *
 * @example
 * ```ts
 * const invitation = clerkOrganizationInvitationSchema.parse(event.data);
 * console.log(invitation.email_address, invitation.role, invitation.status);
 * ```
 */
export const clerkOrganizationInvitationSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("organization_invitation"),
  email_address: z.string(),
  role: z.string(),
  role_name: z.string().optional(),
  organization_id: z.string().min(1),
  /** `pending`, `accepted`, `revoked` or `expired`. */
  status: z.string().optional(),
  public_metadata: clerkMetadata,
  private_metadata: clerkMetadata,
  url: z.string().nullish(),
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
  expires_at: clerkTimestamp.nullish(),
});

/**
 * The `data` of `organizationInvitation.created` / `.revoked`.
 *
 * @example
 * ```ts
 * const email = (data: ClerkOrganizationInvitation) => data.email_address;
 * ```
 */
export type ClerkOrganizationInvitation = z.output<typeof clerkOrganizationInvitationSchema>;

/**
 * An accepted invitation (`organizationInvitation.accepted`): also names the
 * user who accepted it.
 *
 * @example
 * ```ts
 * const accepted = clerkOrganizationInvitationAcceptedSchema.parse(event.data);
 * console.log(accepted.user_id);
 * ```
 */
export const clerkOrganizationInvitationAcceptedSchema = clerkOrganizationInvitationSchema.extend({
  user_id: z.string().min(1).optional(),
});

/**
 * The `data` of `organizationInvitation.accepted`.
 *
 * @example
 * ```ts
 * const who = (data: ClerkOrganizationInvitationAccepted) => data.user_id;
 * ```
 */
export type ClerkOrganizationInvitationAccepted = z.output<
  typeof clerkOrganizationInvitationAcceptedSchema
>;

/**
 * A verified (or to-be-verified) domain of an organization
 * (`organizationDomain.created` / `.updated`).
 *
 * @example
 * ```ts
 * const domain = clerkOrganizationDomainSchema.parse(event.data);
 * if (domain.verification?.status === "verified") enableAutoJoin(domain.organization_id, domain.name);
 * ```
 */
export const clerkOrganizationDomainSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("organization_domain"),
  name: z.string(),
  organization_id: z.string().min(1),
  /** `manual_invitation`, `automatic_invitation` or `automatic_suggestion`. */
  enrollment_mode: z.string(),
  verification: z
    .looseObject({
      status: z.string(),
      strategy: z.string().nullish(),
      attempts: z.number().nullish(),
      expires_at: clerkTimestamp.nullish(),
    })
    .nullable(),
  affiliation_email_address: z.string().nullish(),
  total_pending_invitations: z.number().optional(),
  total_pending_suggestions: z.number().optional(),
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
});

/**
 * The `data` of `organizationDomain.created` / `.updated`.
 *
 * @example
 * ```ts
 * const verified = (d: ClerkOrganizationDomain) => d.verification?.status === "verified";
 * ```
 */
export type ClerkOrganizationDomain = z.output<typeof clerkOrganizationDomainSchema>;
