/**
 * The `data` of `session.*` events (`SessionWebhookEventJSON`): the session,
 * with its user when Clerk includes it.
 *
 * @see https://clerk.com/docs/reference/backend/types/backend-session
 * @packageDocumentation
 */
import { z } from "zod";
import { clerkTimestamp } from "./envelope.js";
import { clerkUserSchema } from "./user.js";

/**
 * A Clerk session, as `session.created`, `.ended`, `.removed`, `.revoked` and
 * `.pending` carry it.
 *
 * @example
 * ```ts
 * const session = clerkSessionSchema.parse(event.data);
 * if (session.status === "revoked") await signOutEverywhere(session.user_id);
 * ```
 */
export const clerkSessionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("session"),
  user_id: z.string().min(1),
  client_id: z.string(),
  /** `active`, `ended`, `removed`, `revoked`, `pending`, `expired`, … */
  status: z.string(),
  last_active_organization_id: z.string().nullish(),
  actor: z.record(z.string(), z.unknown()).nullish(),
  latest_activity: z
    .looseObject({
      id: z.string(),
      is_mobile: z.boolean().optional(),
      browser_name: z.string().optional(),
      device_type: z.string().optional(),
      ip_address: z.string().optional(),
      city: z.string().optional(),
      country: z.string().optional(),
    })
    .nullish(),
  last_active_at: clerkTimestamp,
  expire_at: clerkTimestamp,
  abandon_at: clerkTimestamp,
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
  /** The session's user; absent or null in some deliveries. */
  user: clerkUserSchema.nullish(),
});

/**
 * The `data` of the `session.*` events.
 *
 * @example
 * ```ts
 * const ended = (s: ClerkSession) => s.status !== "active";
 * ```
 */
export type ClerkSession = z.output<typeof clerkSessionSchema>;
