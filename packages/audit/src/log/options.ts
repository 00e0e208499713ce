/**
 * Options of `createAuditLog()`, validated once at start-up.
 *
 * @packageDocumentation
 */
import { type Clock, parseOptions } from "@gatehouse/core";
import { z } from "zod";
import type { AuditSink } from "../types.js";
import type { AuditLogFailure } from "./report.js";

/** Options of `createAuditLog()`. */
export interface AuditLogOptions {
  /** Where events go, each batch to every sink (each with its own spool). At least one. */
  readonly sinks: readonly AuditSink[];
  /**
   * The chain this log writes. A named stream continues its chain after a
   * restart from `head()` of the first sink that has one (run one live log
   * per named stream). @default `${hostname}-${short id}`: a fresh chain per log
   */
  readonly stream?: string;
  /** A flush starts once this many events are queued. @default 500 */
  readonly batchSize?: number;
  /** Queued events are flushed at least this often, in ms (an `unref`'d timer). @default 1000 */
  readonly flushIntervalMs?: number;
  /**
   * Most events waiting in memory: beyond it, queued events are chained and
   * spooled to disk instead of waiting for slow sinks. @default 100000
   */
  readonly maxQueue?: number;
  /**
   * Directory of the spool (JSON Lines, fsync'd) holding batches a sink
   * could not take. Give a fixed directory, one per live log, so a restarted
   * process replays what the previous one left.
   * @default a temporary directory per stream (not replayed after a restart)
   */
  readonly spoolDir?: string;
  /** Metadata keys to redact besides the defaults (`password`, `token`, …). @default [] */
  readonly redact?: readonly string[];
  /** Largest serialised metadata per event, in bytes; larger is cut and marked `"[truncated]"`. @default 8192 */
  readonly maxMetadataBytes?: number;
  /** Longest a sink write may take before it counts as failed (and the batch is spooled), in ms. @default 30000 */
  readonly sinkTimeoutMs?: number;
  /** The source of event times. @default the system clock */
  readonly clock?: Clock;
  /**
   * Told about sink failures (the events are safe in the spool) and lost
   * events (even the spool failed: each lost event is listed).
   * @default `process.emitWarning` (codes `GATEHOUSE_AUDIT_SINK`, `GATEHOUSE_AUDIT_LOST`)
   */
  readonly onError?: (failure: AuditLogFailure) => void;
  /** Flush on `process` `beforeExit`. `close()` on shutdown is still the way to be sure. @default false */
  readonly flushOnExit?: boolean;
}

const fn = <T>() => z.custom<T>((v) => typeof v === "function");
const sink = z.custom<AuditSink>(
  (v) =>
    typeof v === "object" &&
    v !== null &&
    typeof (v as AuditSink).write === "function" &&
    typeof (v as AuditSink).name === "string",
  "must be an audit sink ({ name, write })",
);

/** A stream name: what a store field, a file name and a log line can all hold. */
export const STREAM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

const schema = z.strictObject({
  sinks: z.array(sink).min(1).max(32),
  stream: z.string().regex(STREAM_PATTERN, "must be 1-128 of A-Z a-z 0-9 _ . : -").optional(),
  batchSize: z.number().int().min(1).max(10_000).optional(),
  flushIntervalMs: z.number().int().min(1).max(3_600_000).optional(),
  maxQueue: z.number().int().min(1).max(10_000_000).optional(),
  spoolDir: z.string().min(1).optional(),
  redact: z.array(z.string().min(1).max(128)).max(1000).optional(),
  maxMetadataBytes: z.number().int().min(64).max(1_048_576).optional(),
  sinkTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  clock: z.custom<Clock>((v) => typeof (v as Clock)?.now === "function").optional(),
  onError: fn<(failure: AuditLogFailure) => void>().optional(),
  flushOnExit: z.boolean().optional(),
});

/** Parses the options into a new frozen object with every default filled in. */
export function parseLogOptions(options: AuditLogOptions) {
  const o = parseOptions("createAuditLog()", schema, options);
  const batchSize = o.batchSize ?? 500;
  return Object.freeze({
    sinks: Object.freeze([...o.sinks]),
    stream: o.stream,
    batchSize,
    flushIntervalMs: o.flushIntervalMs ?? 1000,
    maxQueue: Math.max(o.maxQueue ?? 100_000, batchSize),
    spoolDir: o.spoolDir,
    redact: Object.freeze([...(o.redact ?? [])]),
    maxMetadataBytes: o.maxMetadataBytes ?? 8192,
    sinkTimeoutMs: o.sinkTimeoutMs ?? 30_000,
    clock: o.clock,
    onError: o.onError,
    flushOnExit: o.flushOnExit ?? false,
  });
}

/** The parsed options. */
export type ParsedLogOptions = ReturnType<typeof parseLogOptions>;
