/**
 * The parts every Clerk webhook shares: the event envelope, the deleted-object
 * stub of `*.deleted` events, metadata and timestamps. Every object schema is
 * loose (`z.looseObject`): a field Clerk adds tomorrow is kept, never refused.
 *
 * @see https://clerk.com/docs/guides/development/webhooks/overview
 * @packageDocumentation
 */
import { z } from "zod";

/**
 * Milliseconds since the epoch, as Clerk sends every `*_at` field.
 *
 * @example
 * ```ts
 * const expiresAt = clerkTimestamp.parse(1767225600000);
 * ```
 */
export const clerkTimestamp = z.number();

/**
 * Public, private or unsafe metadata: any JSON object; absent reads as `{}`.
 *
 * @example
 * ```ts
 * clerkMetadata.parse(undefined); // {}
 * ```
 */
export const clerkMetadata = z.record(z.string(), z.unknown()).default(() => ({}));

/**
 * The `data` of most `*.deleted` events (`DeletedObjectJSON`): only the id of
 * what was deleted (and an organization's slug).
 *
 * @example
 * ```ts
 * clerkDeletedObjectSchema.parse({ object: "user", id: "user_2x", deleted: true });
 * ```
 */
export const clerkDeletedObjectSchema = z.looseObject({
  object: z.string(),
  id: z.string().min(1).optional(),
  slug: z.string().optional(),
  deleted: z.boolean(),
});

/**
 * The `data` of a `*.deleted` event: `{ object, id?, slug?, deleted }`.
 *
 * @example
 * ```ts
 * const gone: ClerkDeletedObject = { object: "user", id: "user_2x", deleted: true };
 * ```
 */
export type ClerkDeletedObject = z.output<typeof clerkDeletedObjectSchema>;

/** Who caused the event, when it came from a request (Clerk's `event_attributes`). */
const eventAttributes = z.looseObject({
  http_request: z
    .looseObject({
      client_ip: z.string().optional(),
      user_agent: z.string().optional(),
    })
    .optional(),
});

/**
 * The schema of one Clerk event: the envelope `{ data, object: "event", type,
 * timestamp, instance_id?, event_attributes? }` around `data`. `timestamp` is
 * when the event happened at Clerk (ms): the order of events, whatever order
 * they are delivered in.
 *
 * @example
 * ```ts
 * const userCreated = clerkEventSchema("user.created", clerkUserSchema);
 * ```
 */
export function clerkEventSchema<const T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.looseObject({
    data,
    object: z.literal("event"),
    type: z.literal(type),
    timestamp: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    instance_id: z.string().optional(),
    event_attributes: eventAttributes.optional(),
  });
}
