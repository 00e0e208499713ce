/**
 * Permissions in Clerk's shape: `org:<feature>:<action>` for organization
 * permissions and `<feature>:<action>` for app-level ones (no org scope).
 * Segments are lowercase `[a-z0-9_-]`. Grants (what a role holds) may use
 * wildcards; requirements (what a route asks for) may not.
 *
 * Wildcards never cross scopes: `org:*` grants every organization permission,
 * `*` every app-level permission; grant both to mean "everything".
 *
 * @see https://clerk.com/docs/organizations/roles-permissions
 * @packageDocumentation
 */

const SEGMENT = /^[a-z0-9_-]{1,64}$/;
const ORG = "org:";

/** A permission split into its parts. */
export interface ParsedPermission {
  /** `org` for `org:<feature>:<action>`, `app` for `<feature>:<action>`. */
  readonly scope: "org" | "app";
  /** The feature, or `*` for a scope-wide wildcard (`org:*`, `*`). */
  readonly feature: string;
  /** The action, or `*` for a feature wildcard (`org:invoices:*`, `invoices:*`). */
  readonly action: string;
  /** The normalised string (`org:org:a:b` → `org:a:b`). */
  readonly value: string;
}

/**
 * Collapses a repeated `org:` prefix (`org:org:invoices:read` → `org:invoices:read`),
 * like Clerk's SDK does. A string without the prefix is left alone: it names an
 * app-level permission.
 */
export function normalisePermission(value: string): string {
  if (!value.startsWith("org:org:")) return value;
  let rest = value;
  while (rest.startsWith("org:org:")) rest = rest.slice(ORG.length);
  return rest;
}

/**
 * Parses a permission. With `{ wildcard: true }` (grants), `org:*`,
 * `org:<feature>:*`, `*` and `<feature>:*` are accepted too.
 *
 * @returns the parts, or `null` when the string is not a valid permission.
 * @example
 * ```ts
 * parsePermission("org:invoices:read"); // { scope: "org", feature: "invoices", action: "read", … }
 * parsePermission("org:invoices:*");    // null (wildcards only in grants)
 * parsePermission("org:invoices:*", { wildcard: true }); // { …, action: "*" }
 * ```
 */
export function parsePermission(
  value: unknown,
  options: { readonly wildcard?: boolean } = {},
): ParsedPermission | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 200) return null;
  const normalised = normalisePermission(value);
  const wildcard = options.wildcard === true;
  const parts = normalised.split(":");
  let scope: "org" | "app" = "app";
  if (parts[0] === "org") {
    scope = "org";
    parts.shift();
  }
  if (wildcard && parts.length === 1 && parts[0] === "*") {
    return Object.freeze({ scope, feature: "*", action: "*", value: normalised });
  }
  if (parts.length !== 2) return null;
  const [feature, action] = parts as [string, string];
  // `org` as an app-level feature would read like an organization permission.
  if (!SEGMENT.test(feature) || (scope === "app" && feature === "org")) return null;
  if (!(SEGMENT.test(action) || (wildcard && action === "*"))) return null;
  return Object.freeze({ scope, feature, action, value: normalised });
}

/** Whether `value` is a valid permission (wildcards allowed when `wildcard` is set). */
export function isPermission(
  value: unknown,
  options: { readonly wildcard?: boolean } = {},
): boolean {
  return parsePermission(value, options) !== null;
}

/**
 * A compiled set of grants: answers "is `required` granted?" without
 * allocating. Build one per role (or per grant list) and keep it.
 */
export interface PermissionMatcher {
  /** Whether the grants cover `required` (a normalised, wildcard-free permission). */
  grants(required: string): boolean;
  /** The normalised grants, wildcards included. */
  readonly granted: readonly string[];
}

class Matcher implements PermissionMatcher {
  readonly granted: readonly string[];
  private readonly exact: ReadonlySet<string>;
  /** Wildcard grants without their trailing `*` (`org:invoices:`, `org:`, `invoices:`). */
  private readonly prefixes: readonly string[];
  /** `*`: every app-level permission. */
  private readonly allApp: boolean;

  constructor(granted: readonly string[]) {
    const exact = new Set<string>();
    const prefixes: string[] = [];
    let allApp = false;
    for (const g of granted) {
      if (g === "*") allApp = true;
      else if (g.endsWith("*")) prefixes.push(g.slice(0, -1));
      else exact.add(g);
    }
    this.granted = Object.freeze([...granted]);
    this.exact = exact;
    this.prefixes = Object.freeze(prefixes);
    this.allApp = allApp;
    Object.freeze(this);
  }

  grants(required: string): boolean {
    if (this.exact.has(required)) return true;
    const prefixes = this.prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      if (required.startsWith(prefixes[i]!)) return true;
    }
    return this.allApp && !required.startsWith(ORG);
  }
}

const EMPTY_MATCHER: PermissionMatcher = new Matcher([]);

/**
 * Compiles grants into a {@link PermissionMatcher}. Invalid entries are
 * dropped (fail closed); validate configuration with {@link parsePermission}
 * first when you want an error instead.
 *
 * @example
 * ```ts
 * const m = compileGrants(["org:invoices:*", "reports:read"]);
 * m.grants("org:invoices:delete"); // true
 * m.grants("org:reports:read");    // false
 * ```
 */
export function compileGrants(granted: readonly unknown[]): PermissionMatcher {
  if (granted.length === 0) return EMPTY_MATCHER;
  const valid: string[] = [];
  for (const g of granted) {
    const parsed = parsePermission(g, { wildcard: true });
    if (parsed !== null && !valid.includes(parsed.value)) valid.push(parsed.value);
  }
  return valid.length === 0 ? EMPTY_MATCHER : new Matcher(valid);
}

/**
 * Whether `granted` (which may hold wildcards) covers `required`. A malformed
 * or wildcard `required` is never granted. For hot paths, compile once with
 * {@link compileGrants}.
 *
 * @example
 * ```ts
 * grants(["org:invoices:*"], "org:invoices:read"); // true
 * grants(["org:*"], "invoices:read");             // false: org wildcards do not reach app-level permissions
 * grants(["*"], "invoices:read");                 // true
 * ```
 */
export function grants(granted: readonly string[], required: string): boolean {
  const parsed = parsePermission(required);
  if (parsed === null) return false;
  return compileGrants(granted).grants(parsed.value);
}
