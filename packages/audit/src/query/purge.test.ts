import { describe, expect, it } from "vitest";
import { auditEventModel } from "../model.js";
import { BACKENDS, useBackend } from "../verify/test-backends.js";
import { buildChain, T0, writeEvents } from "../verify/test-chain.js";
import { verifyStream } from "../verify/verify-stream.js";
import { countBefore, purgeBefore } from "./purge.js";

describe.each(BACKENDS)("purgeBefore on $name", ({ open }) => {
  const db = useBackend(open);

  it("deletes the events older than the cutoff in batches, and the chains verify as pruned", async () => {
    for (const stream of ["p-1", "p-2"]) {
      await writeEvents(
        db.records,
        buildChain(15, stream, (seq) => ({ time: T0 + seq * 1000 })),
      );
    }
    const cutoff = T0 + 10_500; // seqs 1-10 of each stream are older
    expect(await countBefore(db.records, cutoff)).toBe(20);
    expect(await purgeBefore(db.records, new Date(cutoff), { batchSize: 3 })).toBe(20);
    expect(await countBefore(db.records, cutoff)).toBe(0);
    expect(await purgeBefore(db.records, cutoff)).toBe(0);
    const left = await db.records.findMany(auditEventModel, { limit: 100 });
    expect(left.items.map((r) => r.seq).sort((a, b) => a - b)).toEqual([
      11, 11, 12, 12, 13, 13, 14, 14, 15, 15,
    ]);

    const strict = await verifyStream(db.records, "p-1");
    expect(strict.problems).toMatchObject([{ kind: "deleted", seq: 1, id: null }]);
    expect(strict.problems[0]!.detail).toContain("seqs 1-10 are missing");
    const pruned = await verifyStream(db.records, "p-1", { allowPrunedStart: true });
    expect(pruned).toMatchObject({
      ok: true,
      streams: [{ stream: "p-1", firstSeq: 11, headSeq: 15, prunedStart: true }],
    });
  });

  it("keeps an event exactly at the cutoff", async () => {
    await writeEvents(
      db.records,
      buildChain(3, "p-edge", (seq) => ({ time: T0 - 10 + seq })),
    );
    expect(await purgeBefore(db.records, T0 - 8)).toBe(1);
    const { items } = await db.records.findMany(auditEventModel, { where: { stream: "p-edge" } });
    expect(items.map((r) => r.seq).sort()).toEqual([2, 3]);
  });
});

describe("purgeBefore options", () => {
  it.each([
    ["a batchSize of 0", 0, { batchSize: 0 }],
    ["a batchSize above 1000", 0, { batchSize: 1001 }],
    ["a time that is not a number", "yesterday", {}],
    ["an unknown option", 0, { dryRun: true }],
  ])("refuses %s with config_invalid", async (_name, time, options) => {
    await expect(purgeBefore({} as never, time as number, options as object)).rejects.toMatchObject(
      { code: "config_invalid" },
    );
  });
});
