/**
 * The zod schemas of what callers pass to the API-key operations. A refusal
 * is `input_invalid` (400) naming the field, never echoing the value.
 *
 * @internal
 */
import { GatehouseError } from "@gatehouse/core/errors";
import { z } from "zod";

/** `invoices:read`, `admin.*`, `org-1:write`. */
const SCOPE = /^[a-z0-9_:.*-]{1,64}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Ten Julian years, in seconds. */
export const MAX_LIFETIME_SEC = 315_576_000;
/** Longest rotation overlap: a year. */
const MAX_OVERLAP_SEC = 31_536_000;

const id = z.string().min(1).max(255);

/** Input of `create`. */
export const createInputSchema = z.strictObject({
  subject: id,
  orgId: id.nullable().optional(),
  kind: z.enum(["secret", "publishable"]).optional(),
  name: z
    .string()
    .min(1)
    .max(100)
    .refine((name) => !CONTROL.test(name), "must not contain control characters"),
  scopes: z
    .array(z.string().regex(SCOPE, `must match ${SCOPE}`))
    .max(50)
    .refine((scopes) => new Set(scopes).size === scopes.length, "must not repeat a scope")
    .optional(),
  expiresInSec: z.number().int().positive().max(MAX_LIFETIME_SEC).optional(),
  createdBy: id.optional(),
});

/** The subject of `list`. */
export const subjectSchema = id;

/** Options of `list`. */
export const listOptionsSchema = z.strictObject({
  includeEnded: z.boolean().optional(),
  limit: z.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(1000).optional(),
});

/** Options of `rotate`. */
export const rotateOptionsSchema = z.strictObject({
  overlapSec: z.number().int().min(0).max(MAX_OVERLAP_SEC).optional(),
  by: id.optional(),
});

/** Options of `revoke`. */
export const revokeOptionsSchema = z.strictObject({ by: id.optional() });

/** Parses `input`, or throws `input_invalid` naming the operation and the field. */
export { parseInput } from "@gatehouse/core";

/** An `input_invalid` error of `operation`. */
export function inputInvalid(operation: string, message: string): GatehouseError {
  return new GatehouseError("input_invalid", `${operation}: ${message}`);
}
