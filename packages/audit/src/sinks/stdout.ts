/**
 * The stdout sink: JSON Lines for log shippers (Vector, Fluent Bit, Datadog).
 *
 * @packageDocumentation
 */
import type { Writable } from "node:stream";
import type { AuditSink } from "../types.js";
import { toJsonLines } from "./jsonl.js";

/** Options of {@link stdoutSink}. */
export interface StdoutSinkOptions {
  /** Where the lines go. @default process.stdout */
  readonly stream?: Writable;
}

/**
 * A sink printing one JSON line per event, for a log shipper that tails the
 * process output. A write resolves once the stream has handed the batch on
 * and rejects on a stream error.
 * Shippers may see an event twice after a replay: dedupe by `id`.
 *
 * @example
 * ```ts
 * const audit = createAuditLog({ sinks: [recordStoreSink(records), stdoutSink()] });
 * ```
 */
export function stdoutSink(options: StdoutSinkOptions = {}): AuditSink {
  const out = options.stream ?? process.stdout;
  return {
    name: "stdout",
    write(events) {
      if (events.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        if (out.destroyed || out.writableEnded) {
          reject(new Error("stdoutSink: the stream is closed"));
          return;
        }
        // The callback runs once the stream has handed the chunk on, so one
        // batch at a time also honours back-pressure.
        out.write(toJsonLines(events), (err) => (err ? reject(err) : resolve()));
      });
    },
  };
}
