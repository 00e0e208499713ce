import type { AuthContext, ReverificationConfig } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import type { Requirement } from "../types.js";

/** Visible ASCII without `"`, `\` or `,` (a role, permission, feature or plan key). */
const KEY = /^[\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]{1,200}$/;
/** An RFC 6749 §3.3 scope-token: `%x21 / %x23-5B / %x5D-7E`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;
/** Clerk's reverification presets. */
const PRESETS = {
  strict_mfa: { level: "multi_factor", afterMinutes: 10 },
  strict: { level: "second_factor", afterMinutes: 10 },
  moderate: { level: "second_factor", afterMinutes: 60 },
  lax: { level: "second_factor", afterMinutes: 1440 },
} as const;
const LEVELS = ["first_factor", "second_factor", "multi_factor"];
const MAX_LIST = 50;

function readKey(factory: string, what: string, value: unknown, pattern = KEY): string {
  if (typeof value !== "string" || !pattern.test(value)) {
    configError(
      factory,
      `${what} ${JSON.stringify(value)} must be 1 to 200 printable ASCII characters without spaces, quotes, backslashes or commas`,
    );
  }
  return value;
}

function readList(
  factory: string,
  what: string,
  value: unknown,
  pattern?: RegExp,
): readonly string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.length > MAX_LIST) {
    configError(factory, `give 1 to ${MAX_LIST} ${what}s`);
  }
  const out: string[] = [];
  for (const item of list) {
    const key = readKey(factory, what, item, pattern);
    if (!out.includes(key)) out.push(key);
  }
  return Object.freeze(out);
}

function readMode(factory: string, options: unknown): "all" | "any" {
  if (options === undefined) return "all";
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    configError(factory, "options must be an object");
  }
  for (const key of Object.keys(options)) {
    if (key !== "mode") configError(factory, `unknown option "${key}"`);
  }
  const mode = (options as { mode?: unknown }).mode;
  if (mode === undefined) return "all";
  if (mode !== "all" && mode !== "any")
    configError(factory, 'option "mode" must be "all" or "any"');
  return mode;
}

function readOrgId(factory: string, orgId: unknown): { orgId?: string } {
  return orgId === undefined ? {} : { orgId: readKey(factory, "organization id", orgId) };
}

/** Options of {@link permission} and {@link scope}. */
export interface ListOptions {
  /**
   * `"all"`: every one is required; `"any"`: one of them is enough.
   *
   * @default "all"
   */
  mode?: "all" | "any";
}

/**
 * Requires an active organization (any, or the one given).
 *
 * @example
 * ```ts
 * guard.anyOf(org("org_platform"), permission("org:invoices:manage"));
 * ```
 */
export function org(orgId?: string): Requirement {
  return Object.freeze({ kind: "org", ...readOrgId("org()", orgId) });
}

/** Requires the organization's admin role (as configured in the authorizer). */
export function orgAdmin(orgId?: string): Requirement {
  return Object.freeze({ kind: "orgAdmin", ...readOrgId("orgAdmin()", orgId) });
}

/**
 * Requires an organization role (a role that inherits it also passes).
 *
 * @example
 * ```ts
 * guard.anyOf(role("org:admin"), permission("org:invoices:manage"));
 * ```
 */
export function role(name: string): Requirement {
  return Object.freeze({ kind: "role", role: readKey("role()", "role", name) });
}

/**
 * Requires permissions: all of them (default) or, with `{ mode: "any" }`, one.
 *
 * @example
 * ```ts
 * permission(["org:invoices:read", "org:invoices:manage"], { mode: "any" });
 * ```
 */
export function permission(
  permissions: string | readonly string[],
  options?: ListOptions,
): Requirement {
  const factory = "permission()";
  return Object.freeze({
    kind: "permission",
    permissions: readList(factory, "permission", permissions),
    mode: readMode(factory, options),
  });
}

/** Requires a billing feature (Clerk `fea`): `"export"`, `"org:export"` or `"user:export"`. */
export function feature(name: string): Requirement {
  return Object.freeze({ kind: "feature", feature: readKey("feature()", "feature", name) });
}

/** Requires a billing plan (Clerk `pla`): `"pro"`, `"org:pro"` or `"user:pro"`. */
export function plan(name: string): Requirement {
  return Object.freeze({ kind: "plan", plan: readKey("plan()", "plan", name) });
}

/**
 * Requires a recent factor verification: a Clerk preset (`strict_mfa`,
 * `strict`, `moderate`, `lax`) or `{ level, afterMinutes }`.
 *
 * @see https://clerk.com/docs/guides/secure/reverification
 */
export function reverification(config: ReverificationConfig): Requirement {
  resolveReverification("reverification()", config);
  const frozen = typeof config === "string" ? config : Object.freeze({ ...config });
  return Object.freeze({ kind: "reverification", reverification: frozen });
}

/** A reverification config as `{ level, afterMinutes }`, validated as Clerk validates it. */
export function resolveReverification(
  factory: string,
  config: unknown,
): { readonly level: string; readonly afterMinutes: number } {
  if (typeof config === "string" && Object.hasOwn(PRESETS, config)) {
    return PRESETS[config as keyof typeof PRESETS];
  }
  if (typeof config === "object" && config !== null && !Array.isArray(config)) {
    const { level, afterMinutes, ...rest } = config as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) configError(factory, `unknown reverification option "${unknown}"`);
    if (typeof level !== "string" || !LEVELS.includes(level)) {
      configError(factory, `reverification level must be one of ${LEVELS.join(", ")}`);
    }
    if (
      typeof afterMinutes !== "number" ||
      !Number.isInteger(afterMinutes) ||
      afterMinutes < 1 ||
      afterMinutes >= 99_999
    ) {
      configError(factory, "reverification afterMinutes must be an integer from 1 to 99998");
    }
    return { level, afterMinutes };
  }
  return configError(
    factory,
    `reverification must be "strict_mfa", "strict", "moderate", "lax" or { level, afterMinutes }`,
  );
}

/**
 * Requires OAuth / API-key scopes: all of them (default) or, with
 * `{ mode: "any" }`, one. A denial carries
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function scope(scopes: string | readonly string[], options?: ListOptions): Requirement {
  const factory = "scope()";
  return Object.freeze({
    kind: "scope",
    scopes: readList(factory, "scope", scopes, SCOPE_TOKEN),
    mode: readMode(factory, options),
  });
}

/**
 * An app rule: passes when `test(auth)` is true. `name` appears in denials
 * (`missing: [name]`) and in `authz.denied` events.
 *
 * @example
 * ```ts
 * predicate("not_impersonated", (auth) => auth.actor === null);
 * ```
 */
export function predicate(
  name: string,
  test: (auth: AuthContext) => boolean | Promise<boolean>,
): Requirement {
  const key = readKey("predicate()", "name", name);
  if (typeof test !== "function") configError("predicate()", "test must be a function");
  return Object.freeze({ kind: "predicate", name: key, test });
}

/** Every requirement must hold. */
export function allOf(...requirements: Requirement[]): Requirement {
  return Object.freeze({
    kind: "allOf",
    requirements: readRequirements("allOf()", requirements),
  });
}

/** At least one requirement must hold. */
export function anyOf(...requirements: Requirement[]): Requirement {
  return Object.freeze({
    kind: "anyOf",
    requirements: readRequirements("anyOf()", requirements),
  });
}

const KINDS = new Set([
  "org",
  "orgAdmin",
  "role",
  "permission",
  "feature",
  "plan",
  "reverification",
  "scope",
  "allOf",
  "anyOf",
  "predicate",
]);

/** Checks that a list of combinator operands are requirements (built by the helpers above). */
export function readRequirements(
  factory: string,
  list: readonly unknown[],
): readonly Requirement[] {
  if (list.length === 0) configError(factory, "give at least one requirement");
  for (const item of list) {
    if (
      typeof item !== "object" ||
      item === null ||
      !KINDS.has((item as { kind?: unknown }).kind as string)
    ) {
      configError(
        factory,
        "every operand must be a requirement (permission(), role(), …) or a guard built by createGuards()",
      );
    }
  }
  return Object.freeze([...(list as Requirement[])]);
}

/** Visits every leaf requirement (for start-up checks). */
export function eachLeaf(requirement: Requirement, visit: (leaf: Requirement) => void): void {
  if (requirement.kind === "allOf" || requirement.kind === "anyOf") {
    for (const r of requirement.requirements) eachLeaf(r, visit);
  } else {
    visit(requirement);
  }
}
