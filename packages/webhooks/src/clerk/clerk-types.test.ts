/**
 * Cross-checks the schemas against `@clerk/backend`'s own webhook types: every
 * payload Clerk's types allow must pass our schema (Clerk's type is assignable
 * to the schema's input), the event names must match, and the key fields
 * handlers read must have the same types.
 */

import type {
  DeletedObjectJSON,
  OrganizationJSON,
  OrganizationMembershipJSON,
  SessionJSON,
  UserJSON,
  UserWebhookEvent,
  WebhookEvent,
  WebhookEventType,
} from "@clerk/backend";
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { clerkDeletedObjectSchema } from "./envelope.js";
import type { ClerkEventSchemas, ClerkEventType } from "./events.js";
import type { ClerkOrganization, ClerkOrganizationMembership } from "./organization.js";
import type { ClerkSession } from "./session.js";
import type { ClerkUser, clerkUserSchema } from "./user.js";

/** Drops index signatures (what `z.looseObject` adds), deeply, so interfaces can be compared. */
type Known<T> = T extends readonly (infer E)[]
  ? Known<E>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> }
    : T;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The `data` Clerk's `WebhookEvent` union gives event type `T`. */
type ClerkDataOf<T> = WebhookEvent extends infer E
  ? E extends { type: infer U; data: infer D }
    ? T extends U
      ? D
      : never
    : never
  : never;

/** Event types Clerk has that this package does not type (billing and waitlist). */
type NotTyped =
  | `waitlistEntry.${string}`
  | `paymentAttempt.${string}`
  | `subscription.${string}`
  | `subscriptionItem.${string}`;
type Shared = Exclude<WebhookEventType, NotTyped>;

/**
 * Whether Clerk's `data` for `K` passes our schema's input. `object` is left
 * out: `@clerk/backend` types it as any `ObjectType` on invitations, where
 * the schema checks the literal Clerk sends.
 */
type Fits<K extends Shared> = [DistributiveOmit<ClerkDataOf<K>, "object">] extends [
  DistributiveOmit<Known<z.input<ClerkEventSchemas[K]>["data"]>, "object">,
]
  ? [ClerkDataOf<K>] extends [never]
    ? "Clerk has no data for this type"
    : true
  : false;

describe("schemas against @clerk/backend", () => {
  it("types the same event names (plus session.pending)", () => {
    expectTypeOf<Shared>().toEqualTypeOf<Exclude<ClerkEventType, "session.pending">>();
  });

  it("accepts every payload Clerk's types allow, for every shared event", () => {
    expectTypeOf<{ [K in Shared]: Fits<K> }>().toEqualTypeOf<{ [K in Shared]: true }>();
    expectTypeOf<UserJSON>().toExtend<Known<z.input<typeof clerkUserSchema>>>();
    expectTypeOf<DeletedObjectJSON>().toExtend<Known<z.input<typeof clerkDeletedObjectSchema>>>();
  });

  it("accepts Clerk's envelope", () => {
    expectTypeOf<Omit<UserWebhookEvent, "data" | "type">>().toExtend<
      Known<Omit<z.input<ClerkEventSchemas["user.created"]>, "data" | "type">>
    >();
  });

  it("gives handlers the same types as Clerk for the fields they read", () => {
    expectTypeOf<ClerkUser["id"]>().toEqualTypeOf<UserJSON["id"]>();
    expectTypeOf<ClerkUser["first_name"]>().toEqualTypeOf<UserJSON["first_name"]>();
    expectTypeOf<ClerkUser["last_name"]>().toEqualTypeOf<UserJSON["last_name"]>();
    expectTypeOf<ClerkUser["primary_email_address_id"]>().toEqualTypeOf<
      UserJSON["primary_email_address_id"]
    >();
    expectTypeOf<ClerkUser["email_addresses"][number]["email_address"]>().toEqualTypeOf<
      UserJSON["email_addresses"][number]["email_address"]
    >();
    expectTypeOf<ClerkUser["created_at"]>().toEqualTypeOf<UserJSON["created_at"]>();
    expectTypeOf<ClerkUser["updated_at"]>().toEqualTypeOf<UserJSON["updated_at"]>();
    expectTypeOf<ClerkOrganization["id"]>().toEqualTypeOf<OrganizationJSON["id"]>();
    expectTypeOf<ClerkOrganization["name"]>().toEqualTypeOf<OrganizationJSON["name"]>();
    expectTypeOf<ClerkOrganizationMembership["role"]>().toEqualTypeOf<
      OrganizationMembershipJSON["role"]
    >();
    expectTypeOf<ClerkOrganizationMembership["permissions"]>().toEqualTypeOf<
      OrganizationMembershipJSON["permissions"] | undefined
    >();
    expectTypeOf<ClerkOrganizationMembership["public_user_data"]["user_id"]>().toEqualTypeOf<
      OrganizationMembershipJSON["public_user_data"]["user_id"]
    >();
    expectTypeOf<ClerkSession["user_id"]>().toEqualTypeOf<SessionJSON["user_id"]>();
    expectTypeOf<ClerkSession["status"]>().toEqualTypeOf<SessionJSON["status"]>();
  });
});
