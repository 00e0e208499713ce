/**
 * Verifies the chains a RecordStore holds.
 *
 * @packageDocumentation
 */
import type { RecordStore } from "@gatehouse/core/store";
import { mergeResults, type VerifyOptions, type VerifyResult } from "./result.js";
import { streamEvents, streamNames } from "./stored.js";
import { type VerifyChainOptions, verifyChain } from "./verify-chain.js";

/** Options of {@link verifyStream}. */
export interface VerifyStreamOptions extends VerifyOptions {
  /** The head a checkpoint signed; see {@link VerifyChainOptions.head}. @default no expected head */
  readonly head?: VerifyChainOptions["head"];
}

/**
 * Verifies one stream of `gh_audit_event`, reading it page by page in `seq`
 * order. See {@link verifyChain} for what is checked.
 *
 * @example
 * ```ts
 * const result = await verifyStream(store.records, "api-1");
 * if (!result.ok) console.error(result.problems);
 * ```
 */
export function verifyStream(
  records: RecordStore,
  stream: string,
  options: VerifyStreamOptions = {},
): Promise<VerifyResult> {
  return verifyChain(streamEvents(records, stream), { ...options, stream });
}

/**
 * Verifies every stream of `gh_audit_event`, one after the other. Streams are
 * found by paging the events ordered by `stream` (a RecordStore has no
 * `DISTINCT`), so this reads the table twice; verify one stream with
 * {@link verifyStream} when you know its name.
 *
 * @example
 * ```ts
 * const { ok, problems } = await verifyAll(store.records, { allowPrunedStart: true });
 * ```
 */
export async function verifyAll(
  records: RecordStore,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const results: VerifyResult[] = [];
  for await (const stream of streamNames(records)) {
    results.push(await verifyStream(records, stream, options));
  }
  return mergeResults(results, options.maxProblems ?? 1000);
}
