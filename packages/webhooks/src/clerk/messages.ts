/**
 * The `data` of `email.created` and `sms.created` (`EmailJSON`,
 * `SMSMessageJSON`): messages Clerk sends, or hands to you to deliver when
 * `delivered_by_clerk` is false.
 *
 * Security: these carry the message itself, which can hold a one-time code or
 * a sign-in link. Do not log the payload.
 *
 * @packageDocumentation
 */
import { z } from "zod";

const extra = z.record(z.string(), z.unknown()).nullish();

/**
 * An email Clerk sent or asks you to send (`email.created`).
 *
 * @example
 * ```ts
 * const email = clerkEmailSchema.parse(event.data);
 * if (!email.delivered_by_clerk) await mailer.send({ to: email.to_email_address!, subject: email.subject!, html: email.body! });
 * ```
 */
export const clerkEmailSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("email"),
  slug: z.string().nullish(),
  from_email_name: z.string(),
  to_email_address: z.string().optional(),
  email_address_id: z.string().nullable(),
  user_id: z.string().nullish(),
  subject: z.string().optional(),
  body: z.string().optional(),
  body_plain: z.string().nullish(),
  status: z.string().optional(),
  data: extra,
  delivered_by_clerk: z.boolean(),
});

/**
 * The `data` of `email.created`.
 *
 * @example
 * ```ts
 * const mine = (e: ClerkEmail) => !e.delivered_by_clerk;
 * ```
 */
export type ClerkEmail = z.output<typeof clerkEmailSchema>;

/**
 * A text message Clerk sent or asks you to send (`sms.created`).
 *
 * @example
 * ```ts
 * const sms = clerkSmsMessageSchema.parse(event.data);
 * if (!sms.delivered_by_clerk) await smsSender.send({ to: sms.to_phone_number, body: sms.message });
 * ```
 */
export const clerkSmsMessageSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("sms_message"),
  from_phone_number: z.string(),
  to_phone_number: z.string(),
  phone_number_id: z.string().nullable(),
  user_id: z.string().nullish(),
  message: z.string(),
  status: z.string(),
  slug: z.string().nullish(),
  data: extra,
  delivered_by_clerk: z.boolean(),
});

/**
 * The `data` of `sms.created`.
 *
 * @example
 * ```ts
 * const to = (m: ClerkSmsMessage) => m.to_phone_number;
 * ```
 */
export type ClerkSmsMessage = z.output<typeof clerkSmsMessageSchema>;
