/**
 * The `data` of `user.created` and `user.updated` (`UserJSON` in
 * `@clerk/backend`). Required are the fields Clerk's own example payloads
 * carry; the rest of `UserJSON` is optional, and unknown fields are kept.
 *
 * @see https://clerk.com/docs/reference/backend/types/backend-user
 * @packageDocumentation
 */
import { z } from "zod";
import { clerkDeletedObjectSchema, clerkMetadata, clerkTimestamp } from "./envelope.js";

const nullableString = z.string().nullable();

/**
 * A verification of an email address, phone number or account.
 *
 * @example
 * ```ts
 * clerkVerificationSchema.parse({ status: "verified", strategy: "email_code" });
 * ```
 */
export const clerkVerificationSchema = z.looseObject({
  status: z.string(),
  strategy: z.string().nullish(),
  attempts: z.number().nullish(),
  expire_at: clerkTimestamp.nullish(),
});

/**
 * One of a user's email addresses.
 *
 * @example
 * ```ts
 * clerkEmailAddressSchema.parse({ id: "idn_1", email_address: "ada@example.com" });
 * ```
 */
export const clerkEmailAddressSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("email_address").optional(),
  email_address: z.string(),
  verification: clerkVerificationSchema.nullish(),
  linked_to: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
});

/**
 * One of a user's phone numbers.
 *
 * @example
 * ```ts
 * clerkPhoneNumberSchema.parse({ id: "idn_2", phone_number: "+15555550123" });
 * ```
 */
export const clerkPhoneNumberSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("phone_number").optional(),
  phone_number: z.string(),
  verification: clerkVerificationSchema.nullish(),
});

/**
 * An OAuth account linked to the user (Google, GitHub, …).
 *
 * @example
 * ```ts
 * clerkExternalAccountSchema.parse({ id: "eac_1", provider: "oauth_google" });
 * ```
 */
export const clerkExternalAccountSchema = z.looseObject({
  id: z.string().min(1),
  provider: z.string().optional(),
  email_address: z.string().optional(),
  verification: clerkVerificationSchema.nullish(),
});

/**
 * A Clerk user, as `user.created` and `user.updated` carry it.
 *
 * @example
 * ```ts
 * const user = clerkUserSchema.parse(event.data);
 * const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id);
 * ```
 */
export const clerkUserSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("user"),
  username: nullableString.optional(),
  first_name: nullableString,
  last_name: nullableString,
  image_url: z.string().optional(),
  has_image: z.boolean().optional(),
  primary_email_address_id: nullableString,
  primary_phone_number_id: nullableString.optional(),
  primary_web3_wallet_id: nullableString.optional(),
  email_addresses: z.array(clerkEmailAddressSchema),
  phone_numbers: z.array(clerkPhoneNumberSchema).optional(),
  external_accounts: z.array(clerkExternalAccountSchema).optional(),
  public_metadata: clerkMetadata,
  private_metadata: clerkMetadata,
  unsafe_metadata: clerkMetadata,
  external_id: nullableString.optional(),
  password_enabled: z.boolean().optional(),
  two_factor_enabled: z.boolean().optional(),
  banned: z.boolean().optional(),
  locked: z.boolean().optional(),
  last_sign_in_at: clerkTimestamp.nullable().optional(),
  last_active_at: clerkTimestamp.nullable().optional(),
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
});

/**
 * The `data` of `user.created` / `user.updated`.
 *
 * @example
 * ```ts
 * const fullName = (u: ClerkUser) => [u.first_name, u.last_name].filter(Boolean).join(" ");
 * ```
 */
export type ClerkUser = z.output<typeof clerkUserSchema>;

/**
 * The `data` of `user.deleted` (`UserDeletedJSON`): the deleted-object stub,
 * with the user's `external_id` when one was set.
 *
 * @example
 * ```ts
 * clerkUserDeletedSchema.parse({ object: "user", id: "user_2x", deleted: true });
 * ```
 */
export const clerkUserDeletedSchema = clerkDeletedObjectSchema.extend({
  external_id: z.string().nullish(),
});

/**
 * The `data` of `user.deleted`.
 *
 * @example
 * ```ts
 * const id = (d: ClerkUserDeleted) => d.id;
 * ```
 */
export type ClerkUserDeleted = z.output<typeof clerkUserDeletedSchema>;
