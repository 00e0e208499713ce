// Internal: `gatehouse-audit verify` and `gatehouse-audit checkpoint`.
import type { KeyObject } from "node:crypto";
import type { RecordStore } from "@gatehouse/core/store";
import { checkpoint, verifyCheckpoint } from "../verify/checkpoint.js";
import { mergeResults, type VerifyResult } from "../verify/result.js";
import { streamNames } from "../verify/stored.js";
import { verifyStream } from "../verify/verify-stream.js";
import type { CliIo } from "./main.js";

/** The streams to work on: the one named, or all. */
async function streams(records: RecordStore, stream: string | undefined): Promise<string[]> {
  if (stream !== undefined) return [stream];
  const names: string[] = [];
  for await (const name of streamNames(records)) names.push(name);
  return names;
}

/** Verifies (against the latest checkpoints when a key is given); exit 1 on problems. */
export async function verifyCommand(
  records: RecordStore,
  o: { stream?: string; pruned: boolean; key?: KeyObject | Buffer },
  io: CliIo,
): Promise<number> {
  const results: VerifyResult[] = [];
  const options = { allowPrunedStart: o.pruned };
  for (const stream of await streams(records, o.stream)) {
    results.push(
      o.key === undefined
        ? await verifyStream(records, stream, options)
        : await verifyCheckpoint(records, stream, o.key, options),
    );
  }
  const result = mergeResults(results, 1000);
  for (const p of result.problems) {
    io.out(`${p.kind}\tstream=${p.stream}\tseq=${p.seq}\tid=${p.id ?? "-"}\t${p.detail}\n`);
  }
  for (const s of result.streams) {
    if (s.prunedStart)
      io.err(`gatehouse-audit: stream ${s.stream} starts at seq ${s.firstSeq} (purged before)\n`);
  }
  const total = result.problems.length + result.problemsOmitted;
  const summary = `${result.streams.length} stream(s), ${result.checked} event(s)`;
  if (total === 0) {
    io.err(
      `gatehouse-audit: ${summary} verified${o.key === undefined ? "" : " against their checkpoints"}: ok\n`,
    );
    return 0;
  }
  io.err(`gatehouse-audit: ${summary} verified: ${total} problem(s)\n`);
  const onlyPrunedStarts = result.problems.every((p) => p.kind === "deleted" && p.seq === 1);
  if (!o.pruned && onlyPrunedStarts) {
    io.err("gatehouse-audit: if retention purged the start of these streams, add --pruned\n");
  }
  return 1;
}

/** Signs the head of each stream and prints the checkpoints (JSON Lines) to keep elsewhere. */
export async function checkpointCommand(
  records: RecordStore,
  o: { stream?: string; key: KeyObject | Buffer },
  io: CliIo,
): Promise<number> {
  const names = await streams(records, o.stream);
  for (const stream of names) {
    io.out(`${JSON.stringify(await checkpoint(records, stream, o.key))}\n`);
  }
  io.err(`gatehouse-audit: signed ${names.length} checkpoint(s)\n`);
  return 0;
}
