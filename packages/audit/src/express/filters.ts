/**
 * The query string of the audit routes, parsed strictly: known keys only,
 * each at most once, bounded printable values. A bad query string is 400
 * `input_invalid` naming the key, never echoing the value. Internal.
 *
 * @packageDocumentation
 */
import { parseInput } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { z } from "zod";
import type { AuditOutcome } from "../event.js";

/** The filters a request asked for. */
export interface RequestFilters {
  readonly actor?: string;
  readonly action?: string;
  readonly target?: string;
  readonly outcome?: AuditOutcome;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
  readonly cursor?: string;
  readonly limit?: number;
  readonly format?: "csv" | "jsonl";
}

const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u;
const text = (max: number) => z.string().min(1).max(max).regex(PRINTABLE, "must be printable text");

/** Epoch milliseconds, or an ISO 8601 date / date-time. */
const instant = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const ms = /^\d{1,15}$/.test(value)
      ? Number(value)
      : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
        ? Date.parse(value)
        : Number.NaN;
    if (!Number.isSafeInteger(ms) || ms < 0) {
      ctx.addIssue({ code: "custom", message: "must be epoch milliseconds or an ISO 8601 date" });
      return z.NEVER;
    }
    return ms;
  });

const schema = z
  .strictObject({
    actor: text(200).optional(),
    action: z
      .string()
      .regex(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*(\.\*)?$/, "must be an action or a namespace.*")
      .max(200)
      .optional(),
    target: text(200).optional(),
    outcome: z.enum(["success", "failure", "denied"]).optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,2048}$/, "is malformed")
      .optional(),
    limit: z
      .string()
      .regex(/^\d{1,4}$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(1).max(200))
      .optional(),
    format: z.enum(["csv", "jsonl"]).optional(),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, {
    message: "must be before to",
    path: ["from"],
  });

const FILTERS = ["actor", "action", "target", "outcome", "from", "to"];
/** The parameters of `GET /events`. */
export const EVENTS_KEYS: ReadonlySet<string> = new Set([...FILTERS, "cursor", "limit"]);
/** The parameters of `GET /export`. */
export const EXPORT_KEYS: ReadonlySet<string> = new Set([...FILTERS, "format"]);

/** Parses the query pairs of `route`, refusing any key not in `allowed`. */
export function parseFilters(
  route: string,
  pairs: readonly [string, string][],
  allowed: ReadonlySet<string>,
): RequestFilters {
  const raw: Record<string, string> = Object.create(null);
  for (const [key, value] of pairs) {
    const name = JSON.stringify(key.slice(0, 40));
    if (Object.hasOwn(raw, key)) {
      throw new GatehouseError("input_invalid", `${route}: ${name} is repeated.`);
    }
    if (!allowed.has(key)) {
      throw new GatehouseError(
        "input_invalid",
        `${route}: ${name} is not a parameter of this route.`,
      );
    }
    raw[key] = value;
  }
  return parseInput(route, schema, { ...raw });
}
