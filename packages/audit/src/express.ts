/**
 * Express, Connect and `node:http` bindings for `@gatehouse/audit`:
 * {@link auditRequests} records API access, {@link auditRouter} serves an
 * organization's audit trail (search and export) to its admins.
 *
 * @packageDocumentation
 */

export type { AuditScope, ScopeResolver } from "./express/gate.js";
export { type AuditRequestsOptions, auditRequests } from "./express/requests.js";
export { type AuditRouterOptions, auditRouter } from "./express/router.js";
