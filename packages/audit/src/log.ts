/**
 * The audit log: `createAuditLog()` records without blocking, chains and
 * writes in batches, and spools what a sink cannot take.
 *
 * @packageDocumentation
 */
export { uuidv7 } from "./ids.js";
export { createAuditLog } from "./log/create.js";
export type { AuditLogOptions } from "./log/options.js";
export type { AuditLogFailure } from "./log/report.js";
export {
  CIRCULAR,
  createRedactor,
  DEFAULT_REDACT_KEYS,
  REDACTED,
  type RedactOptions,
  TRUNCATED,
  UNREADABLE,
} from "./redact.js";
