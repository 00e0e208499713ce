/**
 * Reading and managing stored audit events: search, export, retention and
 * erasure.
 *
 * @packageDocumentation
 */
export {
  defaultPseudonym,
  type EraseOptions,
  type ErasureResult,
  type ErasureSubject,
  eraseSubject,
} from "./query/erase.js";
export {
  CSV_COLUMNS,
  type ExportFilter,
  type ExportFormat,
  type ExportOptions,
  exportEvents,
} from "./query/export.js";
export type { AuditSearch } from "./query/filter.js";
export { type PurgeOptions, purgeBefore } from "./query/purge.js";
export {
  type RetentionOptions,
  type RetentionPolicy,
  type RetentionPolicyOptions,
  type RetentionTask,
  retentionPolicy,
  startRetention,
} from "./query/retention.js";
export { type AuditPage, type AuditQuery, createAuditQuery } from "./query/search.js";
