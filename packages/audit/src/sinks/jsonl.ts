/**
 * Internal: events as JSON Lines, shared by the file, stdout and HTTP sinks
 * and the spool.
 *
 * @packageDocumentation
 */
import type { AuditEvent } from "../event.js";

/** One event per line, each line ending in `\n`. */
export function toJsonLines(events: readonly AuditEvent[]): string {
  let text = "";
  for (const event of events) text += `${JSON.stringify(event)}\n`;
  return text;
}
