/**
 * Audit logs: an append-only, hash-chained, tamper-evident trail, recorded
 * without blocking the request, kept through outages (spool and replay),
 * written to your store, files, stdout or a SIEM, searchable per
 * organization, exportable, and purged on a schedule.
 *
 * @packageDocumentation
 */
export * from "./capture.js";
export { chainHash, newPiiSalt, PERSONAL_FIELDS, piiDigestOf } from "./chain.js";
export type {
  AuditActor,
  AuditEvent,
  AuditEventInput,
  AuditOutcome,
  AuditTarget,
} from "./event.js";
export * from "./log.js";
export { auditEventModel, auditModels } from "./model.js";
export * from "./query.js";
export * from "./sinks.js";
export type { AuditLog, AuditLogStats, AuditSink } from "./types.js";
export * from "./verify.js";
