/**
 * The one decision function: allow/deny plus a reason, over Clerk org claims
 * (v1/v2), the app's membership records, custom roles, self-issued token and
 * API-key grants.
 *
 * @packageDocumentation
 */
import {
  type AuthContext,
  type AuthorizationCheck,
  checkAuthorization,
  type EventBus,
  parseOptions,
  REVERIFICATION_PRESETS,
  type ReverificationConfig,
} from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import { z } from "zod";
import type { CustomRoles, ResolvedCustomRole } from "./custom-roles.js";
import "./events.js";
import type { Memberships } from "./memberships.js";
import { type PermissionMatcher, parsePermission } from "./permissions.js";
import { isRoleName, normaliseRole } from "./role-names.js";
import { assertGrantable, type RoleSet } from "./roles.js";
import type { Authorizer, DecideOptions, Decision, DecisionReason, Requirement } from "./types.js";

/** Options of {@link createAuthorizer}. */
export interface AuthorizerOptions {
  /** The configured roles (from {@link defineRoles}). */
  readonly roles: RoleSet;
  /** Runtime custom roles; without them, a role unknown to `roles` grants nothing. @default none */
  readonly customRoles?: CustomRoles;
  /**
   * The app's membership records, consulted when the token carries no
   * organization and the route names one (`DecideOptions.orgId`). @default none
   */
  readonly memberships?: Memberships;
  /** Where `authz.denied` events go. @default no events */
  readonly events?: EventBus;
  /** Roles that count as organization admin. @default `roles.admins` */
  readonly adminRoles?: readonly string[];
}

/** The authorizer of this package: {@link Authorizer} plus start-up validation for guards. */
export interface RbacAuthorizer extends Authorizer {
  /** The configured roles. */
  readonly roles: RoleSet;
  /** The roles that count as organization admin. */
  readonly adminRoles: readonly string[];
  /**
   * Checks a requirement at start-up (guards call this in their factory):
   * malformed parts, a role the RoleSet does not define, a permission no role
   * grants (or outside the catalog) throw `config_invalid` naming it. It also
   * precompiles the requirement, so the first request is as fast as the rest.
   */
  validate(requirement: Requirement): void;
}

const FACTORY = "createAuthorizer()";

const schema = z.strictObject({
  roles: z.custom<RoleSet>(
    (v) => typeof (v as RoleSet | undefined)?.satisfiesRole === "function",
    "expected a RoleSet from defineRoles()",
  ),
  customRoles: z
    .custom<CustomRoles>(
      (v) => typeof (v as CustomRoles | undefined)?.resolve === "function",
      "expected createCustomRoles()",
    )
    .optional(),
  memberships: z
    .custom<Memberships>(
      (v) => typeof (v as Memberships | undefined)?.roleOf === "function",
      "expected createMemberships()",
    )
    .optional(),
  events: z
    .custom<EventBus>(
      (v) => typeof (v as EventBus | undefined)?.emit === "function",
      "expected an EventBus",
    )
    .optional(),
  adminRoles: z.array(z.string()).min(1).optional(),
});

const LEVELS = new Set(["first_factor", "second_factor", "multi_factor"]);

// ─── Compiled requirements ────────────────────────────────────────────────────

interface Base {
  readonly rule: string;
  readonly allow: Decision;
}
type Node =
  | (Base & { readonly k: "org"; readonly orgId: string | undefined })
  | (Base & { readonly k: "admin"; readonly orgId: string | undefined })
  | (Base & { readonly k: "role"; readonly role: string; readonly orgId: string | undefined })
  | (Base & {
      readonly k: "permission";
      readonly permissions: readonly string[];
      /** Parallel to `permissions`: whether each is org-scoped. */
      readonly orgScoped: readonly boolean[];
      readonly any: boolean;
      readonly orgId: string | undefined;
    })
  | (Base & { readonly k: "billing"; readonly check: AuthorizationCheck; readonly deny: Decision })
  | (Base & {
      readonly k: "reverification";
      readonly check: AuthorizationCheck;
      readonly deny: Decision;
    })
  | (Base & { readonly k: "scope"; readonly scopes: readonly string[]; readonly any: boolean })
  | (Base & { readonly k: "all"; readonly children: readonly Node[] })
  | (Base & { readonly k: "any"; readonly children: readonly Node[] })
  | (Base & {
      readonly k: "predicate";
      readonly test: (auth: AuthContext) => boolean | Promise<boolean>;
      readonly deny: Decision;
    });

function decision(
  allowed: boolean,
  reason: DecisionReason,
  rule: string,
  missing?: readonly string[],
  reverification?: Decision["reverification"],
): Decision {
  const d: { -readonly [P in keyof Decision]: Decision[P] } = { allowed, reason, rule };
  if (missing !== undefined) d.missing = Object.freeze([...missing]);
  if (reverification !== undefined) d.reverification = reverification;
  return Object.freeze(d);
}

function bad(message: string): never {
  return configError(FACTORY, `requirement: ${message}`);
}

function optionalOrg(orgId: unknown, kind: string): string | undefined {
  if (orgId === undefined) return undefined;
  if (typeof orgId !== "string" || orgId.length === 0)
    bad(`${kind}.orgId must be a non-empty string`);
  return orgId;
}

function nonEmptyStrings(value: unknown, what: string): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) bad(`${what} must be a non-empty array`);
  for (const v of value) {
    if (typeof v !== "string" || v.length === 0)
      bad(`${what} holds ${JSON.stringify(v)}, not a string`);
  }
  return value as string[];
}

function compile(req: Requirement, depth = 0): Node {
  if (typeof req !== "object" || req === null) bad("expected an object");
  if (depth > 32) bad("nested more than 32 levels deep");
  const allowFor = (rule: string) => decision(true, "allowed", rule);
  switch (req.kind) {
    case "org":
    case "orgAdmin": {
      const orgId = optionalOrg(req.orgId, req.kind);
      const rule = orgId === undefined ? req.kind : `${req.kind}:${orgId}`;
      return req.kind === "org"
        ? { k: "org", orgId, rule, allow: allowFor(rule) }
        : { k: "admin", orgId, rule, allow: allowFor(rule) };
    }
    case "role": {
      if (!isRoleName(req.role)) bad(`role ${JSON.stringify(req.role)} is malformed`);
      const role = normaliseRole(req.role);
      const rule = `role:${role}`;
      return {
        k: "role",
        role,
        orgId: optionalOrg(req.orgId, "role"),
        rule,
        allow: allowFor(rule),
      };
    }
    case "permission": {
      const list = nonEmptyStrings(req.permissions, "permission.permissions");
      if (req.mode !== undefined && req.mode !== "all" && req.mode !== "any") {
        bad(`permission.mode must be "all" or "any"`);
      }
      const permissions: string[] = [];
      for (const p of list) {
        const parsed = parsePermission(p);
        if (parsed === null) {
          bad(
            `permission ${JSON.stringify(p)} is malformed (expected "org:<feature>:<action>" or "<feature>:<action>", no wildcards)`,
          );
        }
        if (!permissions.includes(parsed.value)) permissions.push(parsed.value);
      }
      const any = req.mode === "any" && permissions.length > 1;
      const rule = `permission${any ? "(any)" : ""}:${permissions.join(",")}`;
      return {
        k: "permission",
        permissions: Object.freeze(permissions),
        orgScoped: Object.freeze(permissions.map((p) => p.startsWith("org:"))),
        any,
        orgId: optionalOrg(req.orgId, "permission"),
        rule,
        allow: allowFor(rule),
      };
    }
    case "feature":
    case "plan": {
      const value = req.kind === "feature" ? req.feature : req.plan;
      if (typeof value !== "string" || value.length === 0)
        bad(`${req.kind} must be a non-empty string`);
      const rule = `${req.kind}:${value}`;
      return {
        k: "billing",
        check: req.kind === "feature" ? { feature: value } : { plan: value },
        rule,
        allow: allowFor(rule),
        deny: decision(false, req.kind === "feature" ? "missing_feature" : "missing_plan", rule, [
          value,
        ]),
      };
    }
    case "reverification": {
      const config = req.reverification as ReverificationConfig;
      let resolved: { level: string; afterMinutes: number };
      let name: string;
      if (typeof config === "string") {
        if (!Object.hasOwn(REVERIFICATION_PRESETS, config))
          bad(`reverification preset ${JSON.stringify(config)} is unknown`);
        resolved = REVERIFICATION_PRESETS[config];
        name = config;
      } else {
        if (
          typeof config !== "object" ||
          config === null ||
          !LEVELS.has(config.level) ||
          typeof config.afterMinutes !== "number" ||
          !(config.afterMinutes > 0) ||
          !Number.isFinite(config.afterMinutes)
        ) {
          bad("reverification must be a preset or { level, afterMinutes > 0 }");
        }
        resolved = { level: config.level, afterMinutes: config.afterMinutes };
        name = `${config.level}/${config.afterMinutes}`;
      }
      const rule = `reverification:${name}`;
      const frozen = Object.freeze({ level: resolved.level, afterMinutes: resolved.afterMinutes });
      return {
        k: "reverification",
        check: {
          reverification: (typeof config === "string"
            ? config
            : { ...config }) as ReverificationConfig,
        },
        rule,
        allow: allowFor(rule),
        deny: decision(false, "reverification_required", rule, [resolved.level], frozen),
      };
    }
    case "scope": {
      const scopes = nonEmptyStrings(req.scopes, "scope.scopes");
      for (const s of scopes) if (/\s/.test(s)) bad(`scope ${JSON.stringify(s)} holds whitespace`);
      if (req.mode !== undefined && req.mode !== "all" && req.mode !== "any") {
        bad(`scope.mode must be "all" or "any"`);
      }
      const any = req.mode === "any" && scopes.length > 1;
      const rule = `scope${any ? "(any)" : ""}:${scopes.join(" ")}`;
      return {
        k: "scope",
        scopes: Object.freeze([...new Set(scopes)]),
        any,
        rule,
        allow: allowFor(rule),
      };
    }
    case "allOf":
    case "anyOf": {
      if (!Array.isArray(req.requirements) || req.requirements.length === 0) {
        bad(`${req.kind}.requirements must be a non-empty array`);
      }
      const children = Object.freeze(req.requirements.map((r) => compiled(r, depth + 1)));
      const rule = `${req.kind}(${children.map((c) => c.rule).join("; ")})`;
      return req.kind === "allOf"
        ? { k: "all", children, rule, allow: allowFor(rule) }
        : { k: "any", children, rule, allow: allowFor(rule) };
    }
    case "predicate": {
      if (typeof req.name !== "string" || req.name.length === 0)
        bad("predicate.name must be a non-empty string");
      if (typeof req.test !== "function") bad(`predicate "${req.name}": test must be a function`);
      const rule = `predicate:${req.name}`;
      return {
        k: "predicate",
        test: req.test,
        rule,
        allow: allowFor(rule),
        deny: decision(false, "predicate_failed", rule, [req.name]),
      };
    }
    default:
      return bad(`unknown kind ${JSON.stringify((req as { kind?: unknown }).kind)}`);
  }
}

// Requirements are built once by guards and reused: compile each object once.
const compiledCache = new WeakMap<object, Node>();

function compiled(req: Requirement, depth = 0): Node {
  let node = compiledCache.get(req);
  if (node === undefined) {
    node = compile(req, depth);
    compiledCache.set(req, node);
  }
  return node;
}

// ─── Claims of self-issued tokens and API keys ────────────────────────────────

interface ClaimGrants {
  /** App-level permissions from `claims.permissions` (exact, no wildcards). */
  readonly permissions: ReadonlySet<string>;
  /** Scopes from `claims.scope` (space-separated) or `claims.scp` (array). */
  readonly scopes: ReadonlySet<string>;
}

const NO_GRANTS: ClaimGrants = Object.freeze({
  permissions: new Set<string>(),
  scopes: new Set<string>(),
});
const claimCache = new WeakMap<object, ClaimGrants>();

function claimGrants(auth: AuthContext): ClaimGrants {
  const claims = auth.claims;
  if (claims === null || typeof claims !== "object") return NO_GRANTS;
  let grants = claimCache.get(claims);
  if (grants === undefined) {
    const permissions = new Set<string>();
    const raw = claims.permissions;
    if (Array.isArray(raw)) {
      for (const p of raw) {
        // Org-scoped permissions come from org claims or memberships, never from a bare list.
        const parsed = parsePermission(p);
        if (parsed !== null && parsed.scope === "app") permissions.add(parsed.value);
      }
    }
    const scopes = new Set<string>();
    if (typeof claims.scope === "string") {
      for (const s of claims.scope.split(" ")) if (s !== "") scopes.add(s);
    } else if (claims.scope === undefined && Array.isArray(claims.scp)) {
      for (const s of claims.scp)
        if (typeof s === "string" && s !== "" && !/\s/.test(s)) scopes.add(s);
    }
    grants =
      permissions.size === 0 && scopes.size === 0
        ? NO_GRANTS
        : Object.freeze({ permissions, scopes });
    claimCache.set(claims, grants);
  }
  return grants;
}

// ─── Subjects: the caller within an organization ─────────────────────────────

interface Subject {
  readonly orgId: string;
  /** Normalised role, or `null` when the token names none. */
  readonly role: string | null;
  /** Permissions the token lists (Clerk), matched exactly. */
  readonly tokenPermissions: readonly string[] | null;
  /** Grants of a built-in role. */
  readonly matcher: PermissionMatcher | undefined;
  /** The custom role, when the role is one of the organization. */
  readonly custom: ResolvedCustomRole | undefined;
}

type OrgFailure = "no_active_org" | "org_mismatch";
type SubjectResult = Subject | OrgFailure;

interface Call {
  readonly auth: AuthContext & { readonly isSignedIn: true };
  readonly target: string | undefined;
  /** Memo of the membership/custom-role lookup for one target. */
  memoTarget?: string;
  memo?: Promise<SubjectResult>;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Creates the authorizer every guard uses. Resolution, per decision:
 *
 * - Signed out → `signed_out`.
 * - Organization: the token's active org; if the route names another
 *   (`options.orgId` or the requirement's `orgId`) → `org_mismatch`. Without
 *   an org in the token, the route's org when `memberships` confirm the user
 *   belongs to it; else `no_active_org`.
 * - Role: the token's `orgRole` (Clerk), else the membership's role.
 * - Permissions: those the token lists (Clerk `org_permissions`, v2 `fpm`
 *   expanded by core; matched exactly, no wildcards) ∪ the grants of the role
 *   (built-in or custom, wildcards apply) ∪ app-level `claims.permissions`
 *   (self-issued tokens and API keys; org-scoped entries there are ignored).
 * - Scopes: `claims.scope` (space-separated) or `claims.scp` (array); any
 *   other type is ignored.
 * - A role unknown to the RoleSet and to the org's custom roles grants only
 *   what the token lists and satisfies no role requirement; a `role`
 *   requirement naming a role that is neither built-in nor a custom role of
 *   the org is `unknown_role` (fail closed; `validate()` catches it at start-up).
 * - Features, plans and reverification use core's `checkAuthorization`
 *   (Clerk semantics); a predicate that throws or rejects is `predicate_failed`.
 *
 * Every denial is emitted as `authz.denied` (no token material).
 * Store failures (memberships, custom roles) reject; guards fail closed.
 *
 * @example
 * ```ts
 * const authz = createAuthorizer({ roles: defineRoles({ roles: defaultRoles() }), events });
 * const d = await authz.decide(auth, { kind: "permission", permissions: ["org:sys_memberships:read"] });
 * if (!d.allowed) console.log(d.reason, d.missing);
 * ```
 */
export function createAuthorizer(options: AuthorizerOptions): RbacAuthorizer {
  const o = parseOptions(FACTORY, schema, options);
  const roles = o.roles;
  const { customRoles, memberships, events } = o;
  let adminRoles: readonly string[] = roles.admins;
  if (o.adminRoles !== undefined) {
    const list: string[] = [];
    for (const r of o.adminRoles) {
      if (!roles.has(r)) configError(FACTORY, `option "adminRoles": unknown role "${r}"`);
      const n = normaliseRole(r);
      if (!list.includes(n)) list.push(n);
    }
    adminRoles = Object.freeze(list);
  }
  const customAdmins = o.adminRoles !== undefined;
  const isAdminRole = (role: string): boolean =>
    customAdmins ? adminRoles.some((a) => roles.satisfiesRole(role, a)) : roles.isAdmin(role);

  const SIGNED_OUT = new Map<string, Decision>();
  const signedOut = (node: Node): Decision => {
    let d = SIGNED_OUT.get(node.rule);
    if (d === undefined) {
      d = decision(false, "signed_out", node.rule);
      if (SIGNED_OUT.size < 1000) SIGNED_OUT.set(node.rule, d);
    }
    return d;
  };

  // Token subjects depend only on the (immutable, shared) context: cache them.
  const tokenSubjects = new WeakMap<object, Subject>();

  function tokenSubject(auth: AuthContext & { readonly isSignedIn: true }): Subject {
    let s = tokenSubjects.get(auth);
    if (s === undefined) {
      const role =
        typeof auth.orgRole === "string" && isRoleName(auth.orgRole)
          ? normaliseRole(auth.orgRole)
          : null;
      const perms = Array.isArray(auth.orgPermissions) ? auth.orgPermissions : null;
      s = Object.freeze({
        orgId: auth.orgId as string,
        role,
        tokenPermissions: perms,
        matcher: role === null ? undefined : roles.matcherOf(role),
        custom: undefined,
      });
      tokenSubjects.set(auth, s);
    }
    return s;
  }

  async function withCustom(subject: Subject): Promise<Subject> {
    if (customRoles === undefined || subject.role === null || subject.matcher !== undefined)
      return subject;
    const custom = await customRoles.resolve(subject.orgId, subject.role);
    return custom === undefined ? subject : Object.freeze({ ...subject, custom });
  }

  async function membershipSubject(userId: string, orgId: string): Promise<SubjectResult> {
    if (memberships === undefined) return "no_active_org";
    const held = await memberships.roleOf(orgId, userId);
    if (held === undefined) return "no_active_org";
    const role = isRoleName(held) ? normaliseRole(held) : null;
    return withCustom({
      orgId,
      role,
      tokenPermissions: null,
      matcher: role === null ? undefined : roles.matcherOf(role),
      custom: undefined,
    });
  }

  /** The caller within the target org (the node's, else the route's). */
  function subjectOf(
    call: Call,
    nodeOrg: string | undefined,
  ): SubjectResult | Promise<SubjectResult> {
    const { auth } = call;
    let target = call.target;
    if (nodeOrg !== undefined) {
      if (target !== undefined && target !== nodeOrg) return "org_mismatch";
      target = nodeOrg;
    }
    if (auth.orgId !== null) {
      if (target !== undefined && target !== auth.orgId) return "org_mismatch";
      const s = tokenSubject(auth);
      if (customRoles === undefined || s.role === null || s.matcher !== undefined) return s;
      // A non-built-in token role: maybe a custom role of the org.
      return memoised(call, s.orgId, () => withCustom(s));
    }
    if (target === undefined) return "no_active_org";
    return memoised(call, target, () => membershipSubject(auth.userId, target));
  }

  function memoised(
    call: Call,
    target: string,
    load: () => Promise<SubjectResult>,
  ): Promise<SubjectResult> {
    if (call.memo !== undefined && call.memoTarget === target) return call.memo;
    call.memoTarget = target;
    call.memo = load();
    return call.memo;
  }

  function orgDenied(
    node: Node,
    reason: OrgFailure,
    call: Call,
    nodeOrg: string | undefined,
  ): Decision {
    const target = nodeOrg ?? call.target;
    return decision(false, reason, node.rule, target === undefined ? [] : [target]);
  }

  // ─── Evaluation (synchronous whenever no store is needed) ──────────────────

  function evaluate(node: Node, call: Call): Decision | Promise<Decision> {
    switch (node.k) {
      case "org":
      case "admin":
      case "role": {
        const s = subjectOf(call, node.orgId);
        return isPromise(s) ? s.then((r) => onSubject(node, r, call)) : onSubject(node, s, call);
      }
      case "permission":
        return permission(node, call);
      case "billing":
        return checkAuthorization(call.auth, node.check) ? node.allow : node.deny;
      case "reverification":
        return checkAuthorization(call.auth, node.check) ? node.allow : node.deny;
      case "scope": {
        const held = claimGrants(call.auth).scopes;
        return missingOf(node, node.scopes, node.any, (s) => held.has(s), "missing_scope");
      }
      case "all":
        return allOf(node, call, 0);
      case "any":
        return anyOf(node, call, 0, undefined);
      case "predicate":
        return predicate(node, call.auth);
    }
  }

  function missingOf(
    node: Node,
    wanted: readonly string[],
    any: boolean,
    has: (value: string) => boolean,
    reason: DecisionReason,
  ): Decision {
    if (any) {
      for (let i = 0; i < wanted.length; i++) if (has(wanted[i]!)) return node.allow;
      return decision(false, reason, node.rule, wanted);
    }
    let missing: string[] | undefined;
    for (let i = 0; i < wanted.length; i++) {
      if (has(wanted[i]!)) continue;
      if (missing === undefined) missing = [];
      missing.push(wanted[i]!);
    }
    return missing === undefined ? node.allow : decision(false, reason, node.rule, missing);
  }

  function onSubject(
    node: Node & { k: "org" | "admin" | "role" },
    s: SubjectResult,
    call: Call,
  ): Decision | Promise<Decision> {
    if (typeof s === "string") return orgDenied(node, s, call, node.orgId);
    if (node.k === "org") return node.allow;
    const held = s.role;
    if (node.k === "admin") {
      if (held !== null) {
        if (isAdminRole(held)) return node.allow;
        if (s.custom !== undefined) {
          for (const a of adminRoles) if (s.custom.ancestors.has(a)) return node.allow;
        }
      }
      return decision(false, "missing_role", node.rule, adminRoles);
    }
    const required = node.role;
    if (roles.has(required)) {
      if (
        held !== null &&
        (roles.satisfiesRole(held, required) || s.custom?.ancestors.has(required))
      ) {
        return node.allow;
      }
      return decision(false, "missing_role", node.rule, [required]);
    }
    // Not built-in: only a custom role of the org gives `required` a meaning.
    if (s.custom !== undefined && s.custom.role.name === required) return node.allow;
    if (customRoles === undefined) return decision(false, "unknown_role", node.rule, [required]);
    return customRoles
      .resolve(s.orgId, required)
      .then((r) =>
        decision(false, r === undefined ? "unknown_role" : "missing_role", node.rule, [required]),
      );
  }

  function permission(node: Node & { k: "permission" }, call: Call): Decision | Promise<Decision> {
    const { permissions, orgScoped } = node;
    const claims = claimGrants(call.auth).permissions;
    // App-level permissions the claims grant need no organization.
    let needsSubject = node.orgId !== undefined;
    for (let i = 0; i < permissions.length && !needsSubject; i++) {
      if (orgScoped[i] || !claims.has(permissions[i]!)) needsSubject = true;
      else if (node.any) return node.allow;
    }
    if (!needsSubject) return node.allow;
    const s = subjectOf(call, node.orgId);
    if (isPromise(s)) return s.then((r) => permissionWith(node, r, claims, call));
    return permissionWith(node, s, claims, call);
  }

  function permissionWith(
    node: Node & { k: "permission" },
    s: SubjectResult,
    claims: ReadonlySet<string>,
    call: Call,
  ): Decision {
    if (typeof s === "string") {
      if (s === "org_mismatch") return orgDenied(node, s, call, node.orgId);
      // No org: app-level permissions may still come from the token's claims.
      const d = missingOf(
        node,
        node.permissions,
        node.any,
        (p) => claims.has(p),
        "missing_permission",
      );
      if (d.allowed || !d.missing?.some((p) => p.startsWith("org:"))) return d;
      return decision(false, "no_active_org", node.rule, d.missing);
    }
    // Hot path: no closures, no allocation unless something is missing.
    const wanted = node.permissions;
    if (node.any) {
      for (let i = 0; i < wanted.length; i++) if (holds(s, claims, wanted[i]!)) return node.allow;
      return decision(false, "missing_permission", node.rule, wanted);
    }
    let missing: string[] | undefined;
    for (let i = 0; i < wanted.length; i++) {
      if (holds(s, claims, wanted[i]!)) continue;
      if (missing === undefined) missing = [];
      missing.push(wanted[i]!);
    }
    return missing === undefined
      ? node.allow
      : decision(false, "missing_permission", node.rule, missing);
  }

  function holds(s: Subject, claims: ReadonlySet<string>, p: string): boolean {
    return (
      s.tokenPermissions?.includes(p) === true ||
      s.matcher?.grants(p) === true ||
      s.custom?.matcher.grants(p) === true ||
      claims.has(p)
    );
  }

  function allOf(
    node: Node & { k: "all" },
    call: Call,
    from: number,
  ): Decision | Promise<Decision> {
    const children = node.children;
    for (let i = from; i < children.length; i++) {
      const d = evaluate(children[i]!, call);
      if (isPromise(d)) {
        return d.then((r) => (r.allowed ? allOf(node, call, i + 1) : r));
      }
      if (!d.allowed) return d;
    }
    return node.allow;
  }

  function anyOf(
    node: Node & { k: "any" },
    call: Call,
    from: number,
    first: Decision | undefined,
  ): Decision | Promise<Decision> {
    const children = node.children;
    let failure = first;
    for (let i = from; i < children.length; i++) {
      const d = evaluate(children[i]!, call);
      if (isPromise(d)) {
        return d.then((r) => (r.allowed ? node.allow : anyOf(node, call, i + 1, failure ?? r)));
      }
      if (d.allowed) return node.allow;
      failure ??= d;
    }
    const f = failure!;
    return decision(false, f.reason, node.rule, f.missing, f.reverification);
  }

  function predicate(
    node: Node & { k: "predicate" },
    auth: AuthContext,
  ): Decision | Promise<Decision> {
    try {
      const result = node.test(auth);
      if (isPromise(result)) {
        return Promise.resolve(result).then(
          (r) => (r === true ? node.allow : node.deny),
          () => node.deny,
        );
      }
      return result === true ? node.allow : node.deny;
    } catch {
      return node.deny;
    }
  }

  function emitDenied(auth: AuthContext, d: Decision, target: string | undefined): void {
    if (events === undefined) return;
    events.emit("authz.denied", {
      userId: auth.userId,
      orgId: target ?? auth.orgId,
      activeOrgId: auth.orgId,
      rule: d.rule,
      reason: d.reason,
      missing: d.missing ?? [],
    });
  }

  function finish(auth: AuthContext, d: Decision, target: string | undefined): Decision {
    if (!d.allowed) emitDenied(auth, d, target);
    return d;
  }

  async function decide(
    auth: AuthContext,
    requirement: Requirement,
    options?: DecideOptions,
  ): Promise<Decision> {
    const node = compiled(requirement);
    const target = options?.orgId;
    if (target !== undefined && (typeof target !== "string" || target.length === 0)) {
      configError("Authorizer.decide()", "options.orgId must be a non-empty string");
    }
    if (
      auth === null ||
      typeof auth !== "object" ||
      auth.isSignedIn !== true ||
      typeof auth.userId !== "string"
    ) {
      return finish(auth, signedOut(node), target);
    }
    // A token for one organization is refused on another's route, whatever the requirement.
    if (target !== undefined && auth.orgId !== null && auth.orgId !== target) {
      return finish(auth, decision(false, "org_mismatch", node.rule, [target]), target);
    }
    const d = evaluate(node, { auth, target });
    return finish(auth, isPromise(d) ? await d : d, target);
  }

  function validate(requirement: Requirement): void {
    compiled(requirement);
    const walk = (req: Requirement): void => {
      switch (req.kind) {
        case "role":
          if (!roles.has(req.role))
            configError(FACTORY, `requirement names unknown role "${normaliseRole(req.role)}"`);
          break;
        case "permission":
          for (const p of req.permissions) assertGrantable(roles, p, FACTORY);
          break;
        case "allOf":
        case "anyOf":
          for (const r of req.requirements) walk(r);
          break;
        default:
          break;
      }
    };
    walk(requirement);
  }

  return Object.freeze({ roles, adminRoles, decide, validate });
}
