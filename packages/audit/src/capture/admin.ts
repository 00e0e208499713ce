import { parseInput } from "@gatehouse/core";
import { z } from "zod";
import type { AuditActor, AuditTarget } from "../event.js";
import { createRedactor } from "../redact.js";
import type { AuditLog } from "../types.js";
import { diffFields } from "./diff.js";
import { type RequestInfo, requestFacts } from "./request.js";

/** What {@link recordAdminAction} takes. */
export interface AdminActionInput {
  /** Who did it: an actor, or an admin's user id (`{ type: "admin", id }`). */
  readonly actor: AuditActor | string;
  /** Dotted name, e.g. `admin.user.updated`. */
  readonly action: string;
  /** What was changed. */
  readonly target: AuditTarget;
  /** The organization the target belongs to. @default null */
  readonly orgId?: string | null;
  /** The record before the change; `null` for a creation. */
  readonly before: unknown;
  /** The record after the change; `null` for a deletion. */
  readonly after: unknown;
  /** The admin's request, for IP, `User-Agent` and `x-request-id`. @default undefined */
  readonly request?: RequestInfo;
  /** Extra facts (a reason, a ticket id), kept beside the diff. @default undefined */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

const name = z.string().min(1).max(200);
const schema = z.object({
  actor: z.union([
    name,
    z.object({
      type: z.enum(["user", "admin", "api_key", "system"]),
      id: name.nullable(),
      impersonatorId: name.nullable().optional(),
    }),
  ]),
  action: z
    .string()
    .regex(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, "must be a dotted name")
    .max(200),
  target: z.object({ type: name, id: name }),
  orgId: name.nullable().optional(),
  request: z.object({ headers: z.record(z.string(), z.unknown()) }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

// Admin records often hold secrets (a password hash, a TOTP secret): the diff
// is cleaned here, whatever the log's own redaction list says, with the
// hashes a user record keeps added to the default list.
const redact = createRedactor({ keys: ["passwordHash", "hash", "salt"], maxBytes: 64 * 1024 });

/**
 * Records an admin's change to a record with what changed: `metadata` holds
 * `changed` (the paths of the changed fields), `before` and `after` (only
 * those fields, nested as in the record), values of secret-looking keys
 * (`password`, `passwordHash`, `token`, `secret`, …) replaced by `"[redacted]"`, and
 * `truncated: true` past 100 changed fields.
 *
 * @param log - From `createAuditLog()`.
 * @param input - See {@link AdminActionInput}.
 * @throws GatehouseError `input_invalid` when the input is malformed (no action, no target).
 * @example
 * ```ts
 * recordAdminAction(auditLog, {
 *   actor: getAuth(req).userId!,
 *   action: "admin.user.updated",
 *   target: { type: "user", id: user.id },
 *   before: user,
 *   after: updated,
 *   request: req,
 * });
 * // metadata: { changed: ["email"], before: { email: "a@x.test" }, after: { email: "b@x.test" } }
 * ```
 */
export function recordAdminAction(log: Pick<AuditLog, "record">, input: AdminActionInput): void {
  const o = parseInput("recordAdminAction()", schema, input);
  const actor: AuditActor = typeof o.actor === "string" ? { type: "admin", id: o.actor } : o.actor;
  const diff = diffFields(input.before, input.after);
  const facts = input.request === undefined ? undefined : requestFacts(input.request);
  log.record({
    action: o.action,
    actor,
    target: o.target,
    orgId: o.orgId ?? null,
    ...(facts ?? {}),
    metadata: {
      ...(o.metadata ?? {}),
      changed: diff.changed,
      before: redact(diff.before),
      after: redact(diff.after),
      ...(diff.truncated ? { truncated: true } : {}),
    },
  });
}
