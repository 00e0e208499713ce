/**
 * Internal: the default stream name and the spool directory of each sink.
 *
 * @packageDocumentation
 */
import { hostname } from "node:os";
import { uuidv7 } from "../ids.js";
import type { AuditSink } from "../types.js";

/** `${hostname}-${16 hex}`: the start time's top bits and 32 random bits of a UUIDv7. */
export function defaultStreamName(now: number): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9.-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 64);
  const id = uuidv7(now).replaceAll("-", "");
  return `${host || "host"}-${id.slice(0, 8)}${id.slice(-8)}`;
}

/**
 * A directory name per sink, from its `name` (`records`, `file`, `file-2` for
 * a second sink of the same name): stable across restarts while the sinks
 * are configured alike.
 */
export function spoolKeys(sinks: readonly AuditSink[]): string[] {
  const seen = new Map<string, number>();
  return sinks.map((sink) => {
    const base =
      sink.name
        .replace(/[^A-Za-z0-9_.-]/g, "_")
        .replace(/^\.+/, "_")
        .slice(0, 64) || "sink";
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}
