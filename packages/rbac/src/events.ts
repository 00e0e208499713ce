/**
 * The events this package emits on the Gatehouse event bus.
 *
 * @packageDocumentation
 */
import type { DecisionReason } from "./types.js";

/** Data of the `authz.denied` event: who was refused what, by which rule. Never token material. */
export interface AuthzDeniedEvent {
  /** The caller, or `null` when signed out. */
  readonly userId: string | null;
  /** The organization access was decided for: the route's, else the caller's active one. */
  readonly orgId: string | null;
  /** The caller's active organization from the token, when it has one. */
  readonly activeOrgId: string | null;
  /** Which requirement refused (e.g. `permission:org:invoices:read`). */
  readonly rule: string;
  readonly reason: DecisionReason;
  /** What was missing (permissions, role, scopes, …). */
  readonly missing: readonly string[];
}

declare module "@gatehouse/core" {
  interface GatehouseEvents {
    /** A request was refused by an RBAC requirement (`@gatehouse/rbac`). */
    "authz.denied": AuthzDeniedEvent;
  }
}
