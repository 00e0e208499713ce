import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRecordStoreTests } from "@gatehouse/adapter-tests";
import { defineModel } from "@gatehouse/core/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileRecordStore } from "../src/index.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-file-records-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The published conformance suite, createMany and range included. Each test
// gets a directory of its own, so every model file stays small.
runRecordStoreTests("file record store", {
  create: async () => createFileRecordStore(await mkdtemp(join(dir, "suite-"))),
  createUnavailable: () => createFileRecordStore("/nonexistent/readonly/path"),
});

const event = defineModel({
  name: "event",
  fields: {
    kind: { type: "string", required: true },
    at: { type: "timestamp", required: true },
    key: { type: "string", unique: true },
  },
});

// Behaviour specific to this adapter, beyond the contract.
describe("file record store: layout and failure modes", () => {
  it("keeps one JSON file per model, holding the array of its records", async () => {
    const here = await mkdtemp(join(dir, "layout-"));
    const records = createFileRecordStore(here, { clock: { now: () => 1_700_000_000_000 } });
    await records.createMany!(event, [
      { id: "e1", kind: "signin", at: 1 },
      { id: "e2", kind: "signout", at: 2, key: "k" },
    ]);
    expect((await readdir(here)).sort()).toEqual(["event.records.json"]);
    expect(JSON.parse(await readFile(join(here, "event.records.json"), "utf8"))).toEqual([
      {
        kind: "signin",
        at: 1,
        key: null,
        id: "e1",
        version: 1,
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_000_000,
      },
      {
        kind: "signout",
        at: 2,
        key: "k",
        id: "e2",
        version: 1,
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_000_000,
      },
    ]);
  });

  it("writes a createMany batch in one replace: nothing when it fails", async () => {
    const here = await mkdtemp(join(dir, "batch-"));
    const records = createFileRecordStore(here, { lockTimeoutMs: 100 });
    await records.create(event, { id: "e0", kind: "x", at: 0 });
    await writeFile(join(here, "event.records.lock"), ""); // a live lock another process holds
    await expect(
      records.createMany!(event, [{ id: "e1", kind: "x", at: 1 }]),
    ).rejects.toMatchObject({ code: "store_unavailable" });
    await rm(join(here, "event.records.lock"));
    expect((await records.findMany(event)).items.map((r) => r.id)).toEqual(["e0"]);
  });

  it("fails with store_unavailable on a corrupt model file", async () => {
    const here = await mkdtemp(join(dir, "corrupt-"));
    await writeFile(join(here, "event.records.json"), "[{not json");
    const records = createFileRecordStore(here);
    await expect(records.findMany(event, { range: { field: "at", gte: 0 } })).rejects.toMatchObject(
      { code: "store_unavailable" },
    );
  });

  it("rejects invalid input with store_invalid before touching the disk", async () => {
    const records = createFileRecordStore(join(dir, "missing"));
    await expect(
      records.findMany(event, { range: { field: "kind" as never, gte: 1 } }),
    ).rejects.toMatchObject({ code: "store_invalid" });
    await expect(records.createMany!(event, [{ kind: "x", at: 1 } as never])).rejects.toMatchObject(
      { code: "store_invalid" },
    );
  });
});
