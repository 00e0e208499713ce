// Internal: a search filter, checked, scoped, and turned into findMany options.
import { parseInput } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import type { FindManyOptions } from "@gatehouse/core/store";
import { z } from "zod";
import type { AuditOutcome } from "../event.js";
import type { auditEventModel } from "../model.js";

/** What {@link AuditQuery.search} filters on. Every filter given must match (AND). */
export interface AuditSearch {
  /**
   * The organization the caller may see, set by your server from the
   * authenticated session — never from the request. Every result belongs to
   * it; a filter naming another `orgId` (or `null`) is refused with
   * `forbidden`, never widened.
   * @default unscoped: every organization
   */
  readonly scope?: { readonly orgId: string };
  /** Events of this organization; `null` for events without one. */
  readonly orgId?: string | null;
  readonly actorId?: string;
  /** This exact action, e.g. `session.revoked`. */
  readonly action?: string;
  /** Actions of one namespace: `session` or `session.` (everything up to the first dot). */
  readonly actionPrefix?: string;
  readonly targetId?: string;
  readonly outcome?: AuditOutcome;
  /** From this time on (inclusive), epoch ms or a Date. */
  readonly from?: number | Date;
  /** Before this time (exclusive), epoch ms or a Date. */
  readonly to?: number | Date;
  /** Most events per page. @default 50 (at most 1000) */
  readonly limit?: number;
  /** `nextCursor` of the previous page (with the same filter). */
  readonly cursor?: string;
}

const id = z.string().min(1).max(512);
const time = z.union([z.number().int().min(0).max(8.64e15), z.date()]).transform((v, ctx) => {
  const ms = typeof v === "number" ? v : v.getTime();
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: "custom", message: "must be a valid date" });
    return z.NEVER;
  }
  return ms;
});

/** The filter schema: strict, so an unknown key (a typo, an injected `where`) is refused. */
export const searchSchema = z.strictObject({
  scope: z.strictObject({ orgId: id }).optional(),
  orgId: id.nullable().optional(),
  actorId: id.optional(),
  action: id.optional(),
  actionPrefix: id
    .transform((p) => (p.endsWith(".") ? p.slice(0, -1) : p))
    .refine((p) => p !== "" && !p.includes("."), {
      message: "must be a namespace: the part of an action before its first dot",
    })
    .optional(),
  targetId: id.optional(),
  outcome: z.enum(["success", "failure", "denied"]).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z
    .string()
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

type Checked = z.output<typeof searchSchema>;

/** Checks a filter: `input_invalid` for a malformed one, `forbidden` for one leaving its scope. */
export function checkSearch(operation: string, filter: unknown): Checked {
  const f = parseInput(operation, searchSchema, filter);
  if (f.action !== undefined && f.actionPrefix !== undefined) {
    throw new GatehouseError(
      "input_invalid",
      `${operation}: give "action" or "actionPrefix", not both`,
    );
  }
  if (f.scope !== undefined && f.orgId !== undefined && f.orgId !== f.scope.orgId) {
    throw new GatehouseError(
      "forbidden",
      `${operation}: the filter's orgId is outside the scope of this query`,
    );
  }
  return f;
}

/** The findMany options of a checked filter: newest first. */
export function toFindMany(f: Checked, limit: number): FindManyOptions<typeof auditEventModel> {
  const orgId = f.scope?.orgId ?? f.orgId;
  const where: Record<string, unknown> = {};
  if (orgId !== undefined) where.orgId = orgId;
  if (f.actorId !== undefined) where.actorId = f.actorId;
  if (f.action !== undefined) where.action = f.action;
  if (f.actionPrefix !== undefined) where.actionNamespace = f.actionPrefix;
  if (f.targetId !== undefined) where.targetId = f.targetId;
  if (f.outcome !== undefined) where.outcome = f.outcome;
  const bounded = f.from !== undefined || f.to !== undefined;
  return {
    where,
    ...(bounded
      ? {
          range: {
            field: "time",
            ...(f.from === undefined ? {} : { gte: f.from }),
            ...(f.to === undefined ? {} : { lt: f.to }),
          },
        }
      : {}),
    orderBy: { field: "time", direction: "desc" },
    limit,
    ...(f.cursor === undefined ? {} : { cursor: f.cursor }),
  };
}
