/**
 * Express, Connect and `node:http` guards for `@gatehouse/rbac`:
 * {@link createGuards} binds `requireRole`, `requirePermission`, `requireScope`,
 * `anyOf`/`allOf`, ... to an `Authorizer`; they answer 401 when signed out and
 * a 403 `application/problem+json` that names what was missing when denied.
 *
 * @packageDocumentation
 */
export { requireAuth } from "@gatehouse/express";
export type { ForbiddenBody } from "./express/forbidden.js";
export {
  createGuards,
  type Guard,
  type Guards,
  type GuardsOptions,
  type RequirementLike,
} from "./express/guards.js";
export {
  allOf,
  anyOf,
  feature,
  type ListOptions,
  org,
  orgAdmin,
  permission,
  plan,
  predicate,
  reverification,
  role,
  scope,
} from "./express/requirements.js";
export type {
  Authorizer,
  DecideOptions,
  Decision,
  DecisionReason,
  Requirement,
} from "./types.js";
