/**
 * A sink made of sinks.
 *
 * @packageDocumentation
 */
import type { AuditSink } from "../types.js";

/**
 * One sink writing every batch to all of `sinks` at once; it rejects if any
 * of them rejects (an `AggregateError` of their errors), and the audit log
 * then spools the batch for the whole group. Since sinks are idempotent by
 * event id, the replay rewrites harmlessly into those that had succeeded.
 * `createAuditLog({ sinks })` already fans out, with a spool per sink; use
 * this to nest a group where one sink is expected.
 *
 * @example
 * ```ts
 * const archive = fanOutSink([jsonlFileSink({ path: "audit.jsonl" }), httpSink({ url })]);
 * ```
 */
export function fanOutSink(sinks: readonly AuditSink[]): AuditSink {
  const all = [...sinks];
  const withHead = all.find((sink) => sink.head !== undefined);
  return {
    name: `fan-out(${all.map((sink) => sink.name).join(",")})`,
    async write(events) {
      const results = await Promise.allSettled(all.map(async (sink) => sink.write(events)));
      const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
      if (errors.length > 0) {
        throw new AggregateError(
          errors,
          `fanOutSink: ${errors.length} of ${all.length} sinks failed`,
        );
      }
    },
    overlapWrites: all.length > 0 && all.every((sink) => sink.overlapWrites === true),
    ...(withHead?.head && { head: (stream: string) => withHead.head!(stream) }),
    async close() {
      await Promise.allSettled(all.map(async (sink) => sink.close?.()));
    },
  };
}
