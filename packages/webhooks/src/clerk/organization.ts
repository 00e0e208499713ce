/**
 * The `data` of `organization.*` and `organizationMembership.*` events
 * (`OrganizationJSON`, `OrganizationMembershipJSON`). Required are the fields
 * Clerk's example payloads carry; unknown fields are kept.
 *
 * @see https://clerk.com/docs/reference/backend/types/backend-organization
 * @packageDocumentation
 */
import { z } from "zod";
import { clerkMetadata, clerkTimestamp } from "./envelope.js";

/**
 * A Clerk organization, as `organization.created` / `.updated` carry it.
 *
 * @example
 * ```ts
 * const org = clerkOrganizationSchema.parse(event.data);
 * console.log(org.name, org.slug, org.members_count);
 * ```
 */
export const clerkOrganizationSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("organization"),
  name: z.string(),
  /** Null when the instance has organization slugs turned off. */
  slug: z.string().nullable(),
  image_url: z.string().optional(),
  has_image: z.boolean().optional(),
  members_count: z.number().int().nonnegative().optional(),
  pending_invitations_count: z.number().int().nonnegative().optional(),
  max_allowed_memberships: z.number().optional(),
  admin_delete_enabled: z.boolean().optional(),
  public_metadata: clerkMetadata.nullable(),
  private_metadata: clerkMetadata,
  created_by: z.string().optional(),
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
});

/**
 * The `data` of `organization.created` / `organization.updated`.
 *
 * @example
 * ```ts
 * const name = (org: ClerkOrganization) => org.name;
 * ```
 */
export type ClerkOrganization = z.output<typeof clerkOrganizationSchema>;

/**
 * The member's public profile inside a membership.
 *
 * @example
 * ```ts
 * const { user_id } = clerkPublicUserDataSchema.parse(membership.public_user_data);
 * ```
 */
export const clerkPublicUserDataSchema = z.looseObject({
  user_id: z.string().min(1),
  identifier: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  image_url: z.string().optional(),
  has_image: z.boolean().optional(),
});

/**
 * A membership of a user in an organization, as every
 * `organizationMembership.*` event carries it (`.deleted` included: Clerk
 * sends the whole membership, not a deleted-object stub).
 *
 * @example
 * ```ts
 * const m = clerkOrganizationMembershipSchema.parse(event.data);
 * console.log(m.organization.id, m.public_user_data.user_id, m.role);
 * ```
 */
export const clerkOrganizationMembershipSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("organization_membership"),
  role: z.string(),
  role_name: z.string().optional(),
  permissions: z.array(z.string()).optional(),
  public_metadata: clerkMetadata,
  private_metadata: clerkMetadata,
  organization: clerkOrganizationSchema,
  public_user_data: clerkPublicUserDataSchema,
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
});

/**
 * The `data` of `organizationMembership.created` / `.updated` / `.deleted`.
 *
 * @example
 * ```ts
 * const key = (m: ClerkOrganizationMembership) => `${m.organization.id}/${m.public_user_data.user_id}`;
 * ```
 */
export type ClerkOrganizationMembership = z.output<typeof clerkOrganizationMembershipSchema>;
