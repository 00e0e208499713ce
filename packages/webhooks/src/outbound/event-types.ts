/**
 * Event type names and endpoint filters: exact names (`user.created`) or a
 * prefix wildcard (`user.*`, any type starting with `user.`).
 *
 * @packageDocumentation
 */

/** An event type: 1–128 of letters, digits, `.`, `_`, `-` and `:` (the Svix alphabet plus `:`). */
export const EVENT_TYPE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** A filter entry: an event type, or a prefix ending in `.*`. */
export const EVENT_FILTER = /^(?:[A-Za-z0-9_.:-]{1,128}|[A-Za-z0-9_.:-]{1,126}\.\*)$/;

/** Whether `type` passes `filters` (`null` passes everything). */
export function matchesEventType(filters: readonly string[] | null, type: string): boolean {
  if (filters === null) return true;
  for (const filter of filters) {
    if (filter.endsWith(".*") ? type.startsWith(filter.slice(0, -1)) : filter === type) {
      return true;
    }
  }
  return false;
}
