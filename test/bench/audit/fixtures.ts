/**
 * The events of the audit bench: request events as `auditRequests()` records them, over a
 * pool of 1000 callers, organizations and routes, and their rows as `gh_audit_event` holds
 * them (the columns of `@gatehouse/store-sql`'s table, in its order).
 */
import type { AuditEvent, AuditEventInput } from "@gatehouse/audit";

/** Distinct inputs cycled through by every row (so values vary as in production). */
export const POOL = 1000;

const ROUTES = [
  "GET /orgs/:orgId/invoices",
  "POST /orgs/:orgId/invoices",
  "GET /api/me",
  "DELETE /orgs/:orgId/invoices/:id",
];

/** `POOL` request events: user actor, route target, organization, IP, user agent, request id, metadata. */
export function benchInputs(): AuditEventInput[] {
  return Array.from({ length: POOL }, (_, i): AuditEventInput => {
    const route = ROUTES[i % ROUTES.length]!;
    const status = i % 17 === 0 ? 403 : 200;
    return {
      action: "http.request",
      actor: { type: "user", id: `user_${(i * 7919) % 5000}`, impersonatorId: null },
      target: { type: "route", id: route },
      orgId: `org_${i % 50}`,
      outcome: status === 403 ? "denied" : "success",
      ip: `203.0.113.${i % 250}`,
      userAgent:
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      requestId: `req_${i.toString(36).padStart(8, "0")}`,
      metadata: {
        method: route.split(" ")[0],
        route: route.split(" ")[1],
        status,
        latencyMs: (i % 90) + 0.4,
      },
    };
  });
}

/** The columns of the `gh_audit_event` table, in the order `@gatehouse/store-sql` creates them. */
export const COLUMNS = [
  "id",
  "version",
  "created_at",
  "updated_at",
  "time",
  "stream",
  "seq",
  "position",
  "action",
  "action_namespace",
  "outcome",
  "actor_type",
  "actor_id",
  "impersonator_id",
  "target_type",
  "target_id",
  "org_id",
  "ip",
  "user_agent",
  "request_id",
  "metadata",
  "pii_salt",
  "pii_digest",
  "prev_hash",
  "hash",
  "erased_at",
] as const;

/** A chained event as the row the store writes (metadata as JSON text; `now` for the meta times). */
export function eventRow(event: AuditEvent, now: number): unknown[] {
  return [
    event.id,
    1,
    now,
    now,
    event.time,
    event.stream,
    event.seq,
    `${event.stream}#${event.seq}`,
    event.action,
    event.actionNamespace,
    event.outcome,
    event.actorType,
    event.actorId,
    event.impersonatorId,
    event.targetType,
    event.targetId,
    event.orgId,
    event.ip,
    event.userAgent,
    event.requestId,
    event.metadata === null ? null : JSON.stringify(event.metadata),
    event.piiSalt,
    event.piiDigest,
    event.prevHash,
    event.hash,
    event.erasedAt,
  ];
}
