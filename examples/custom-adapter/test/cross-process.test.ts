import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileRecordStore, createFileStore } from "../src/index.js";
import { raceModel } from "./fixtures/race-model.js";

// The conformance suite races callers inside one process; these tests race
// separate processes sharing the directory, which only the file system can arbitrate.
const run = promisify(execFile);
const PROCESSES = 4;
const worker = join(import.meta.dirname, "fixtures", "race-worker.ts");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-file-store-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `op` on `keys` in {@link PROCESSES} processes at the same moment; one result array per process. */
async function race(op: string, keys: string[]): Promise<unknown[][]> {
  const startAt = String(Date.now() + 1500);
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, () =>
      run(
        process.execPath,
        ["--conditions=@gatehouse/source", "--import", "tsx", worker, dir, op, startAt, ...keys],
        { cwd: join(import.meta.dirname, "..") },
      ),
    ),
  );
  return outputs.map(({ stdout }) => JSON.parse(stdout) as unknown[]);
}

describe("file store across processes", () => {
  const store = () => createFileStore(dir);

  it("consume: exactly one process gets each value", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `xp:consume:${i}`);
    await Promise.all(keys.map((key) => store().set(key, key)));
    const results = await race("consume", keys);
    keys.forEach((key, i) => {
      const winners = results.map((r) => r[i]).filter((v) => v !== null);
      expect(winners).toEqual([key]);
    });
  });

  it("setIfAbsent: exactly one process creates each key", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `xp:once:${i}`);
    const results = await race("setIfAbsent", keys);
    keys.forEach((_, i) => {
      expect(results.filter((r) => r[i] === true)).toHaveLength(1);
    });
  });

  it("increment: no update is lost and every process sees distinct values", async () => {
    const keys = Array.from({ length: 10 }, () => "xp:counter");
    const results = await race("increment", keys);
    const seen = results.flat().sort((a, b) => Number(a) - Number(b));
    expect(seen).toEqual(Array.from({ length: PROCESSES * 10 }, (_, i) => i + 1));
    expect(await store().get("xp:counter")).toBe(PROCESSES * 10);
  });

  it("record createMany: every id is written once, by exactly one process", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `xp-${String(i).padStart(2, "0")}`);
    const results = await race("createMany", ids);
    expect(results.flat().reduce((sum, n) => Number(sum) + Number(n), 0)).toBe(ids.length);
    const { items } = await createFileRecordStore(dir).findMany(raceModel, {
      orderBy: { field: "id" },
      limit: 1000,
    });
    expect(items.map((r) => [r.id, r.version])).toEqual(ids.map((id) => [id, 1]));
  });

  it("record update with expectedVersion: exactly one process wins each record", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `xp-update-${i}`);
    await createFileRecordStore(dir).createMany!(
      raceModel,
      ids.map((id) => ({ id, pid: 0 })),
    );
    const results = await race("update", ids);
    ids.forEach((_, i) => {
      expect(results.filter((r) => r[i] === true)).toHaveLength(1);
    });
  });

  it("leaves no temporary or lock files behind", async () => {
    const names = await readdir(dir);
    expect(names.filter((n) => !n.endsWith(".json"))).toEqual([]);
  });
});
