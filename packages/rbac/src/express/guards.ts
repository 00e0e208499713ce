import type { IncomingMessage, ServerResponse } from "node:http";
import type { ReverificationConfig } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import {
  getAuth,
  type Middleware,
  type NextFunction,
  requireAuth as requireAuthMiddleware,
} from "@gatehouse/express";
import { assertGrantable, type RoleSet } from "../roles.js";
import type { Authorizer, Decision, Requirement } from "../types.js";
import { type ForbiddenHints, forbiddenResponse, writeForbidden } from "./forbidden.js";
import {
  allOf,
  anyOf,
  eachLeaf,
  feature,
  type ListOptions,
  org,
  orgAdmin,
  permission,
  plan,
  predicate,
  readRequirements,
  resolveReverification,
  reverification,
  role,
  scope,
} from "./requirements.js";

const FACTORY = "createGuards()";
/** Characters allowed inside an RFC 7230 quoted-string without escaping. */
const QDTEXT = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,200}$/;
/** A route parameter name as Express (path-to-regexp) accepts it. */
const PARAM = /^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/;

/** Options of {@link createGuards}. */
export interface GuardsOptions {
  /**
   * Route parameter holding the organization a route is about
   * (`/orgs/:orgId/invoices`). When the matched route has it, guards pass it
   * to the authorizer as `orgId`, which refuses a token whose active
   * organization is another one (403 `org_mismatch`).
   *
   * Guards must be mounted on the route (`app.get("/orgs/:orgId", guard…)`)
   * or on a router with `mergeParams`: `app.use()` middleware runs before
   * route parameters are parsed.
   *
   * @default undefined (the organization is never taken from the route)
   */
  orgParam?: string;
  /**
   * `realm` of the `WWW-Authenticate: Bearer` challenges (401 and
   * `insufficient_scope`).
   *
   * @default undefined (no realm attribute)
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
   */
  realm?: string;
}

/**
 * A guard: a named `(req, res, next)` middleware that also carries the
 * {@link Requirement} it enforces, so guards compose with `anyOf`/`allOf`.
 */
export type Guard = Middleware & { readonly requirement: Requirement };

/** A requirement or a guard, as the combinators accept them. */
export type RequirementLike = Requirement | Guard;

/** The guards bound to one authorizer; see {@link createGuards}. */
export interface Guards {
  /** 401 unless signed in (`@gatehouse/express`'s `requireAuth`, with this realm). */
  readonly requireAuth: Middleware;
  /** An active organization (the route's when `orgParam` is set). */
  readonly requireOrg: Guard;
  /** The organization's admin role, as the authorizer defines it. */
  readonly requireOrgAdmin: Guard;
  /** An organization role (or one that inherits it). */
  requireRole(role: string): Guard;
  /** Permissions: all (default) or `{ mode: "any" }`. */
  requirePermission(permissions: string | readonly string[], options?: ListOptions): Guard;
  /** A billing feature (Clerk `fea`). */
  requireFeature(feature: string): Guard;
  /** A billing plan (Clerk `pla`). */
  requirePlan(plan: string): Guard;
  /** A recent factor verification; denials use Clerk's `reverification-error` shape. */
  requireReverification(config: ReverificationConfig): Guard;
  /** OAuth / API-key scopes; denials carry `error="insufficient_scope"`. */
  requireScope(scopes: string | readonly string[], options?: ListOptions): Guard;
  /** At least one requirement or guard must pass. */
  anyOf(...requirements: RequirementLike[]): Guard;
  /** Every requirement or guard must pass. */
  allOf(...requirements: RequirementLike[]): Guard;
  /** An app rule; `name` is reported in denials. */
  requireThat(name: string, test: Extract<Requirement, { kind: "predicate" }>["test"]): Guard;
}

interface Settings {
  readonly authorizer: Authorizer;
  readonly orgParam: string | undefined;
  readonly realm: string | undefined;
  readonly signedOut: Middleware;
  readonly check: (name: string, requirement: Requirement) => void;
}

function readGuardsOptions(options: unknown): { orgParam?: string; realm?: string } {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    configError(FACTORY, "options must be an object");
  }
  for (const key of Object.keys(options)) {
    if (key !== "orgParam" && key !== "realm") configError(FACTORY, `unknown option "${key}"`);
  }
  const { orgParam, realm } = options as GuardsOptions;
  if (orgParam !== undefined && (typeof orgParam !== "string" || !PARAM.test(orgParam))) {
    configError(FACTORY, 'option "orgParam" must be a route parameter name such as "orgId"');
  }
  if (realm !== undefined && (typeof realm !== "string" || !QDTEXT.test(realm))) {
    configError(
      FACTORY,
      'option "realm" must be 1 to 200 printable ASCII characters without `"` or `\\`',
    );
  }
  return { orgParam, realm };
}

/** The authorizer's roles, when it exposes them (`createAuthorizer` does, as `roles`). */
function roleSetOf(authorizer: Authorizer): RoleSet | undefined {
  const roles = (authorizer as { roles?: Partial<RoleSet> }).roles;
  return typeof roles === "object" &&
    roles !== null &&
    Array.isArray(roles.roles) &&
    typeof roles.matcherOf === "function" &&
    typeof roles.has === "function"
    ? (roles as RoleSet)
    : undefined;
}

/**
 * Start-up checks: with the authorizer's {@link RoleSet}, a guard nobody could
 * ever pass (a permission no role grants or outside the catalog, an undefined
 * role) throws `config_invalid` naming the guard and the permission or role.
 * Then the authorizer's own `validate()` (`createAuthorizer` has one) checks
 * and precompiles the requirement, so the first request is as fast as the rest.
 */
function startupCheck(authorizer: Authorizer): (name: string, requirement: Requirement) => void {
  const roleSet = roleSetOf(authorizer);
  const validate = (authorizer as { validate?: unknown }).validate;
  return (name, requirement) => {
    if (roleSet !== undefined) {
      eachLeaf(requirement, (leaf) => {
        if (leaf.kind === "permission") {
          for (const p of leaf.permissions) assertGrantable(roleSet, p, `${name}()`);
        } else if (leaf.kind === "role" && !roleSet.has(leaf.role)) {
          configError(`${name}()`, `role "${leaf.role}" is not defined (see defineRoles())`);
        }
      });
    }
    if (typeof validate === "function") validate.call(authorizer, requirement);
  };
}

/** What the response can add from the guard's own requirement. */
function hintsOf(requirement: Requirement): ForbiddenHints {
  const scopeNames = new Set<string>();
  const fresh: ReverificationConfig[] = [];
  eachLeaf(requirement, (leaf) => {
    if (leaf.kind === "scope") for (const s of leaf.scopes) scopeNames.add(s);
    if (leaf.kind === "reverification") fresh.push(leaf.reverification);
  });
  return {
    scopeNames,
    ...(requirement.kind === "scope" && requirement.mode !== "any"
      ? { scopes: requirement.scopes }
      : {}),
    // Used when the decision does not say which level it wants: only if unambiguous.
    ...(fresh.length === 1
      ? { reverification: resolveReverification("requireReverification()", fresh[0]) }
      : {}),
  };
}

function routeOrg(req: IncomingMessage, param: string | undefined): string | undefined | null {
  if (param === undefined) return undefined;
  const params = (req as { params?: Record<string, unknown> }).params;
  if (typeof params !== "object" || params === null || !Object.hasOwn(params, param)) {
    return undefined;
  }
  const value = params[param];
  return typeof value === "string" && value.length > 0 && value.length <= 200 ? value : null;
}

const MISMATCH: Decision = Object.freeze({
  allowed: false,
  reason: "org_mismatch",
  missing: Object.freeze([]),
  rule: "orgParam",
});

function makeGuard(name: string, requirement: Requirement, s: Settings): Guard {
  s.check(name, requirement);
  const hints = hintsOf(requirement);
  const decided = (res: ServerResponse, next: NextFunction) => (decision: Decision) => {
    if (decision.allowed === true) return next();
    if (res.headersSent) return next(new Error(`${name}: request denied after headers were sent`));
    try {
      const { body, challenge } = forbiddenResponse(decision, hints, s.realm);
      writeForbidden(res, body, challenge);
    } catch (err) {
      next(err);
    }
  };
  // A computed method name gives each middleware its guard's name.
  const guard = {
    [name](req: IncomingMessage, res: ServerResponse, next: NextFunction) {
      let auth: ReturnType<typeof getAuth>;
      try {
        auth = getAuth(req);
      } catch (err) {
        return next(err); // config_invalid: authenticate() is not mounted
      }
      if (!auth.isSignedIn) return s.signedOut(req, res, next);
      const orgId = routeOrg(req, s.orgParam);
      if (orgId === null) return decided(res, next)(MISMATCH);
      let pending: Promise<Decision>;
      try {
        pending = s.authorizer.decide(auth, requirement, orgId === undefined ? {} : { orgId });
      } catch (err) {
        return next(err);
      }
      // Two-argument then: a failure after next() must not call next twice.
      Promise.resolve(pending).then(decided(res, next), next);
    },
  }[name] as Middleware;
  Object.defineProperty(guard, "requirement", { value: requirement, enumerable: true });
  return guard as Guard;
}

function toRequirements(factory: string, list: readonly RequirementLike[]): Requirement[] {
  return list.map((item) => {
    if (typeof item === "function") {
      const r = (item as Partial<Guard>).requirement;
      if (r === undefined) {
        configError(
          factory,
          "a plain middleware cannot be combined (requireAuth is implied by every guard); pass guards from createGuards() or requirements",
        );
      }
      return r;
    }
    return item;
  }) as Requirement[];
}

/**
 * Binds Express guards to an {@link Authorizer}.
 *
 * Every guard is a named `(req, res, next)` middleware for Express 4 and 5,
 * Connect and `node:http`. It reads the context `authenticate()` stored and:
 *
 * - signed out → 401 exactly as `@gatehouse/express`'s `requireAuth` (RFC 6750 challenge);
 * - allowed → `next()`;
 * - denied → 403 `application/problem+json`
 *   `{ type, title, status, detail, code: "forbidden", reason, missing }`, plus
 *   `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` for scopes
 *   and Clerk's `clerk_error` `reverification-error` member for reverification;
 * - `authenticate()` not mounted → `next(err)` with `config_invalid` (500);
 * - the authorizer fails (a store outage) → `next(err)` (503 via `errorHandler()`).
 *
 * Arguments are validated when a guard is built, so a typo fails at start-up.
 * Denials are reported by the authorizer (`authz.denied` events), not here.
 *
 * @param authorizer - The decision function (`createAuthorizer(...)`).
 * @param options - See {@link GuardsOptions}.
 * @throws GatehouseError `config_invalid` at start-up when an argument is invalid.
 * @example
 * ```ts
 * const guard = createGuards(authorizer, { orgParam: "orgId" });
 * app.get("/orgs/:orgId/invoices", guard.requirePermission("org:invoices:read"), listInvoices);
 * app.post(
 *   "/orgs/:orgId/invoices/:id/void",
 *   guard.anyOf(role("org:admin"), permission("org:invoices:manage")),
 *   voidInvoice,
 * );
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9457 Problem Details for HTTP APIs
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 insufficient_scope
 */
export function createGuards(authorizer: Authorizer, options?: GuardsOptions): Guards {
  if (
    typeof authorizer !== "object" ||
    authorizer === null ||
    typeof authorizer.decide !== "function"
  ) {
    configError(FACTORY, "authorizer must have a decide() method (see createAuthorizer())");
  }
  const { orgParam, realm } = readGuardsOptions(options);
  const signedOut = requireAuthMiddleware(realm === undefined ? {} : { realm });
  const s: Settings = Object.freeze({
    authorizer,
    orgParam,
    realm,
    signedOut,
    check: startupCheck(authorizer),
  });

  return Object.freeze({
    requireAuth: signedOut,
    requireOrg: makeGuard("requireOrg", org(), s),
    requireOrgAdmin: makeGuard("requireOrgAdmin", orgAdmin(), s),
    requireRole: (name: string) => makeGuard("requireRole", role(name), s),
    requirePermission: (permissions: string | readonly string[], o?: ListOptions) =>
      makeGuard("requirePermission", permission(permissions, o), s),
    requireFeature: (name: string) => makeGuard("requireFeature", feature(name), s),
    requirePlan: (name: string) => makeGuard("requirePlan", plan(name), s),
    requireReverification: (config: ReverificationConfig) =>
      makeGuard("requireReverification", reverification(config), s),
    requireScope: (scopes: string | readonly string[], o?: ListOptions) =>
      makeGuard("requireScope", scope(scopes, o), s),
    anyOf: (...list: RequirementLike[]) =>
      makeGuard("anyOf", anyOf(...readRequirements("anyOf()", toRequirements("anyOf()", list))), s),
    allOf: (...list: RequirementLike[]) =>
      makeGuard("allOf", allOf(...readRequirements("allOf()", toRequirements("allOf()", list))), s),
    requireThat: (name: string, test: Extract<Requirement, { kind: "predicate" }>["test"]) =>
      makeGuard("requireThat", predicate(name, test), s),
  });
}
