import type { AuthContext, ReverificationConfig } from "@gatehouse/core";

/**
 * What a route requires. Guards and the authorizer share this one shape;
 * `anyOf`/`allOf` combine requirements.
 */
export type Requirement =
  /** Signed in with an active organization (optionally this one). */
  | { readonly kind: "org"; readonly orgId?: string }
  /** The organization's admin (the role(s) configured as admin, default `org:admin` and `org:owner`). */
  | { readonly kind: "orgAdmin"; readonly orgId?: string }
  /** One role (a role that inherits it also satisfies it). */
  | { readonly kind: "role"; readonly role: string; readonly orgId?: string }
  /** Permissions: `all` of them (default) or `any` one. Wildcards in grants apply. */
  | {
      readonly kind: "permission";
      readonly permissions: readonly string[];
      readonly mode?: "all" | "any";
      readonly orgId?: string;
    }
  /** A billing feature (Clerk `fea`). */
  | { readonly kind: "feature"; readonly feature: string }
  /** A billing plan (Clerk `pla`). */
  | { readonly kind: "plan"; readonly plan: string }
  /** A recent factor verification (Clerk presets or custom). */
  | { readonly kind: "reverification"; readonly reverification: ReverificationConfig }
  /** OAuth / API-key scopes: `all` (default) or `any`. */
  | { readonly kind: "scope"; readonly scopes: readonly string[]; readonly mode?: "all" | "any" }
  /** Every requirement must hold. */
  | { readonly kind: "allOf"; readonly requirements: readonly Requirement[] }
  /** At least one requirement must hold. */
  | { readonly kind: "anyOf"; readonly requirements: readonly Requirement[] }
  /** Anything else: an app predicate (named, so denials say which rule failed). */
  | {
      readonly kind: "predicate";
      readonly name: string;
      readonly test: (auth: AuthContext) => boolean | Promise<boolean>;
    };

/** Why a decision went the way it did: a stable, machine-readable reason. */
export type DecisionReason =
  | "allowed"
  | "signed_out"
  | "no_active_org"
  | "org_mismatch"
  | "missing_role"
  | "missing_permission"
  | "missing_feature"
  | "missing_plan"
  | "reverification_required"
  | "missing_scope"
  | "predicate_failed"
  | "unknown_role";

/** The outcome of {@link Authorizer.decide}. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** What was missing (permissions, role, scopes, …), safe to show to the caller. */
  readonly missing?: readonly string[];
  /** For `reverification_required`: the level and age that would satisfy it. */
  readonly reverification?: { readonly level: string; readonly afterMinutes: number };
  /** Which requirement decided (for logs and `authz.denied` events). */
  readonly rule: string;
}

/** Per-call context of a decision. */
export interface DecideOptions {
  /** The organization the route is about (e.g. from `/orgs/:orgId`); a token for another org is refused. */
  readonly orgId?: string;
}

/**
 * The one decision function every guard uses. It resolves the caller's roles
 * and permissions from, in order: Clerk token claims (v1/v2, decoded by core),
 * the app's own membership records (when the token carries no org), and
 * grants on self-issued tokens and API keys (`scope` / `permissions` claims).
 */
export interface Authorizer {
  decide(auth: AuthContext, requirement: Requirement, options?: DecideOptions): Promise<Decision>;
}
