/**
 * A realistic sample of every Clerk event (the shapes Clerk sends, with made-up
 * ids): for tests, local development and the CLI's "send a sample" command.
 * Every sample passes its schema in {@link clerkEventSchemas}.
 *
 * @packageDocumentation
 */
import { GatehouseError } from "@gatehouse/core/errors";
import type { ClerkEventType, ClerkWebhookEvent, ClerkWebhookEvents } from "./events.js";
import type { ClerkOrganization } from "./organization.js";
import type { ClerkPermission } from "./roles.js";
import type { ClerkUser } from "./user.js";

/** 2026-01-01T00:00:00Z: samples are stamped from here, deterministically. */
const T = 1_767_225_600_000;
const MINUTE = 60_000;

const IDS = {
  instance: "ins_2x4fZ7dN1qW8eRt5yU3iO9pA6sD",
  user: "user_2x4gQmYvGmB1pJ7fT0nWcK9aZrL",
  email: "idn_2x4gQqQh7bQ0eXk1mXc3vTt8sYd",
  phone: "idn_2x4gR0bJ5nM2kL8hG4fD6sA1pOi",
  org: "org_2x4h1Vb9tKc3yWm0qZp7rN5sLgE",
  membership: "orgmem_2x4h2Jx8kP1sQv6tYb3nW0cRzMa",
  session: "sess_2x4h3Fq7wE2rT9yU4iO6pA1sDfG",
  client: "client_2x4h3Kz5xC8vB1nM7qW3eR9tYuI",
  invitation: "orginv_2x4h4Pl0kJ3hG6fD9sA2qW5eRtY",
  domain: "orgdmn_2x4h5Mn4bV7cX0zL3kJ6hG9fDsA",
  role: "role_2x4h6Qw1eR4tY7uI0oP3aS6dF9gH",
  permission: "perm_2x4h7Zx2cV5bN8mL1kJ4hG7fD0sA",
  mail: "ema_2x4h8Rt3yU6iO9pA2sD5fG8hJ1kL",
  sms: "sms_2x4h9Yu4iO7pA0sD3fG6hJ9kL2zX",
} as const;

function user(): ClerkUser {
  return {
    id: IDS.user,
    object: "user",
    username: "ada",
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: "https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9",
    has_image: false,
    primary_email_address_id: IDS.email,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    email_addresses: [
      {
        id: IDS.email,
        object: "email_address",
        email_address: "ada@example.com",
        verification: { status: "verified", strategy: "email_code", attempts: 1, expire_at: null },
        linked_to: [],
      },
    ],
    phone_numbers: [],
    external_accounts: [],
    public_metadata: { plan: "pro" },
    private_metadata: {},
    unsafe_metadata: { theme: "dark" },
    external_id: null,
    password_enabled: true,
    two_factor_enabled: false,
    banned: false,
    locked: false,
    last_sign_in_at: T - 5 * MINUTE,
    last_active_at: T - 5 * MINUTE,
    created_at: T - 10 * MINUTE,
    updated_at: T,
  };
}

function organization(): ClerkOrganization {
  return {
    id: IDS.org,
    object: "organization",
    name: "Acme Inc",
    slug: "acme",
    image_url: "https://img.clerk.com/eyJ0eXBlIjoib3JnIn0",
    has_image: false,
    members_count: 1,
    pending_invitations_count: 0,
    max_allowed_memberships: 5,
    admin_delete_enabled: true,
    public_metadata: {},
    private_metadata: {},
    created_by: IDS.user,
    created_at: T - 10 * MINUTE,
    updated_at: T,
  };
}

function membership() {
  return {
    id: IDS.membership,
    object: "organization_membership" as const,
    role: "org:admin",
    role_name: "Admin",
    permissions: [
      "org:sys_profile:manage",
      "org:sys_memberships:manage",
      "org:sys_memberships:read",
    ],
    public_metadata: {},
    private_metadata: {},
    organization: organization(),
    public_user_data: {
      user_id: IDS.user,
      identifier: "ada@example.com",
      first_name: "Ada",
      last_name: "Lovelace",
      image_url: "https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9",
      has_image: false,
    },
    created_at: T - 10 * MINUTE,
    updated_at: T,
  };
}

function session(status: string) {
  return {
    id: IDS.session,
    object: "session" as const,
    user_id: IDS.user,
    client_id: IDS.client,
    status,
    last_active_organization_id: IDS.org,
    actor: null,
    latest_activity: {
      id: "sess_activity_2x4hA1",
      object: "session_activity",
      is_mobile: false,
      browser_name: "Firefox",
      browser_version: "133.0",
      device_type: "Macintosh",
      ip_address: "203.0.113.7",
      city: "London",
      country: "GB",
    },
    last_active_at: T,
    expire_at: T + 7 * 24 * 60 * MINUTE,
    abandon_at: T + 30 * 24 * 60 * MINUTE,
    created_at: T - 5 * MINUTE,
    updated_at: T,
    user: user(),
  };
}

function invitation(status: string) {
  return {
    id: IDS.invitation,
    object: "organization_invitation" as const,
    email_address: "grace@example.com",
    role: "org:member",
    role_name: "Member",
    organization_id: IDS.org,
    status,
    public_metadata: {},
    private_metadata: {},
    url: null,
    created_at: T - 5 * MINUTE,
    updated_at: T,
    expires_at: T + 30 * 24 * 60 * MINUTE,
  };
}

function domain() {
  return {
    id: IDS.domain,
    object: "organization_domain" as const,
    name: "acme.example",
    organization_id: IDS.org,
    enrollment_mode: "automatic_invitation",
    verification: { status: "verified", strategy: "email_code", attempts: 1, expires_at: T },
    affiliation_email_address: "ada@acme.example",
    total_pending_invitations: 0,
    total_pending_suggestions: 0,
    created_at: T - 5 * MINUTE,
    updated_at: T,
  };
}

function permission(): ClerkPermission {
  return {
    id: IDS.permission,
    object: "permission",
    key: "org:invoices:read",
    name: "Read invoices",
    description: "See the organization's invoices",
    created_at: T - 5 * MINUTE,
    updated_at: T,
  };
}

function role() {
  return {
    id: IDS.role,
    object: "role" as const,
    key: "org:billing",
    name: "Billing",
    description: "Manages invoices",
    permissions: [permission()],
    is_creator_eligible: false,
    created_at: T - 5 * MINUTE,
    updated_at: T,
  };
}

const deleted = (object: string, id: string, slug?: string) =>
  slug === undefined ? { object, id, deleted: true } : { object, id, slug, deleted: true };

const samples: { readonly [K in ClerkEventType]: () => ClerkWebhookEvents[K] } = {
  "user.created": user,
  "user.updated": () => ({ ...user(), first_name: "Augusta Ada", updated_at: T + MINUTE }),
  "user.deleted": () => deleted("user", IDS.user),
  "session.created": () => session("active"),
  "session.ended": () => session("ended"),
  "session.removed": () => session("removed"),
  "session.revoked": () => session("revoked"),
  "session.pending": () => session("pending"),
  "organization.created": organization,
  "organization.updated": () => ({ ...organization(), name: "Acme Corp", updated_at: T + MINUTE }),
  "organization.deleted": () => deleted("organization", IDS.org, "acme"),
  "organizationMembership.created": membership,
  "organizationMembership.updated": () => ({ ...membership(), role: "org:member" }),
  "organizationMembership.deleted": membership,
  "organizationInvitation.created": () => invitation("pending"),
  "organizationInvitation.accepted": () => ({
    ...invitation("accepted"),
    user_id: "user_2x4hBq8wE1rT4yU7iO0pA3sD6fG",
  }),
  "organizationInvitation.revoked": () => invitation("revoked"),
  "organizationDomain.created": domain,
  "organizationDomain.updated": () => ({ ...domain(), enrollment_mode: "automatic_suggestion" }),
  "organizationDomain.deleted": () => deleted("organization_domain", IDS.domain),
  "role.created": role,
  "role.updated": () => ({ ...role(), name: "Billing admin" }),
  "role.deleted": () => deleted("role", IDS.role),
  "permission.created": permission,
  "permission.updated": () => ({ ...permission(), name: "View invoices" }),
  "permission.deleted": () => deleted("permission", IDS.permission),
  "email.created": () => ({
    id: IDS.mail,
    object: "email",
    slug: "verification_code",
    from_email_name: "notifications",
    to_email_address: "ada@example.com",
    email_address_id: IDS.email,
    user_id: IDS.user,
    subject: "123456 is your verification code",
    body: "<p>Your verification code is 123456</p>",
    body_plain: "Your verification code is 123456",
    status: "queued",
    data: { otp_code: "123456", app: { name: "Acme" } },
    delivered_by_clerk: true,
  }),
  "sms.created": () => ({
    id: IDS.sms,
    object: "sms_message",
    from_phone_number: "+15555550100",
    to_phone_number: "+15555550123",
    phone_number_id: IDS.phone,
    user_id: IDS.user,
    message: "123456 is your verification code for Acme.",
    status: "queued",
    slug: "verification_code",
    data: { otp_code: "123456" },
    delivered_by_clerk: true,
  }),
};

/**
 * Every event type {@link clerkSampleEvent} has a sample for (all of
 * `clerkEventSchemas`), in a stable order.
 *
 * @example
 * ```ts
 * for (const type of clerkSampleEventTypes) await send(clerkSampleEvent(type));
 * ```
 */
export const clerkSampleEventTypes: readonly ClerkEventType[] = Object.freeze(
  Object.keys(samples) as ClerkEventType[],
);

/**
 * Changes to a sample: envelope fields replace, `data` fields are merged in (shallowly).
 *
 * @example
 * ```ts
 * const overrides: ClerkSampleOverrides<"user.created"> = { timestamp: 1, data: { id: "user_x" } };
 * ```
 */
export type ClerkSampleOverrides<K extends ClerkEventType> = Partial<
  Omit<ClerkWebhookEvent<K>, "data" | "type">
> & { readonly data?: Partial<ClerkWebhookEvents[K]> };

/**
 * A realistic sample event of `type`, a fresh object on every call. Its
 * `timestamp` is 2026-01-01T00:00:00Z unless overridden.
 *
 * @example
 * ```ts
 * const event = clerkSampleEvent("user.updated", {
 *   timestamp: Date.now(),
 *   data: { first_name: "Grace" },
 * });
 * const body = JSON.stringify(event);
 * ```
 */
export function clerkSampleEvent<K extends ClerkEventType>(
  type: K,
  overrides: ClerkSampleOverrides<K> = {},
): ClerkWebhookEvent<K> {
  const build = Object.hasOwn(samples, type) ? samples[type] : undefined;
  if (build === undefined) {
    throw new GatehouseError(
      "config_invalid",
      `clerkSampleEvent(): no sample for event type ${JSON.stringify(type)}`,
    );
  }
  const { data, ...envelope } = overrides;
  return {
    data: { ...build(), ...data },
    object: "event",
    type,
    timestamp: T,
    instance_id: IDS.instance,
    event_attributes: {
      http_request: {
        client_ip: "203.0.113.7",
        user_agent:
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:133.0) Gecko/20100101 Firefox/133.0",
      },
    },
    ...envelope,
  } as ClerkWebhookEvent<K>;
}
