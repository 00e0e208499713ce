/**
 * `@gatehouse/rbac`: roles, permissions, hierarchies, wildcards, runtime
 * custom roles and one decision function over Clerk org claims, membership
 * records and API-key scopes. Express guards live in `@gatehouse/rbac/express`.
 *
 * @packageDocumentation
 */
export {
  type AuthorizerOptions,
  createAuthorizer,
  type RbacAuthorizer,
} from "./authorizer.js";
export {
  type CustomRole,
  type CustomRoles,
  type CustomRolesOptions,
  createCustomRoles,
  customRoleModel,
  type OnMembers,
  type ResolvedCustomRole,
} from "./custom-roles.js";
export type { AuthzDeniedEvent } from "./events.js";
export {
  createMemberships,
  type Membership,
  type Memberships,
  type MembershipsOptions,
  membershipModel,
} from "./memberships.js";
export {
  compileGrants,
  grants,
  isPermission,
  normalisePermission,
  type ParsedPermission,
  type PermissionMatcher,
  parsePermission,
} from "./permissions.js";
export { isRoleName, normaliseRole } from "./role-names.js";
export {
  assertGrantable,
  type DefineRolesOptions,
  defaultPermissions,
  defaultRoles,
  defineRoles,
  type RoleDefinition,
  type RoleSet,
} from "./roles.js";
export type {
  Authorizer,
  DecideOptions,
  Decision,
  DecisionReason,
  Requirement,
} from "./types.js";
