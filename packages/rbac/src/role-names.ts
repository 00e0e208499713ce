/**
 * Role keys in Clerk's shape: `org:<name>`, the prefix optional on input
 * (`admin` and `org:admin` are the same role).
 *
 * @packageDocumentation
 */

const ROLE = /^org:[a-z0-9_-]{1,64}$/;

/**
 * Adds the `org:` prefix once: `admin`, `org:admin` and `org:org:admin` all
 * become `org:admin` (core's `withOrgPrefix`). Does not allocate for an
 * already-normalised key.
 */
export function normaliseRole(value: string): string {
  if (value.startsWith("org:") && !value.startsWith("org:org:")) return value;
  return value.replace(/^(org:)*/, "org:");
}

/** Whether `value` is a valid role key (after prefix normalisation). */
export function isRoleName(value: unknown): value is string {
  return typeof value === "string" && ROLE.test(normaliseRole(value));
}
