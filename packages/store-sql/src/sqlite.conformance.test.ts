// The shared conformance suite against SQLite: a private in-memory database per
// test, and one database file shared by every test of the file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKeyValueStoreTests, runRecordStoreTests } from "@gatehouse/adapter-tests";
import type { KeyValueStore, ModelSchema, RecordStore } from "@gatehouse/core/store";
import { afterAll } from "vitest";
import { createSqliteStore, type SqlStore } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-sqlite-"));
const file = join(dir, "conformance.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = new Map<KeyValueStore | RecordStore, SqlStore>();
async function make(target: string, models: readonly ModelSchema[]) {
  const store = createSqliteStore(target, { models });
  await store.migrate();
  return store;
}
const release = async (s: KeyValueStore | RecordStore) => {
  await open.get(s)?.close();
  open.delete(s);
};
// A file in a directory that does not exist cannot be opened: every operation fails.
const nowhere = join(dir, "missing", "nowhere.db");

for (const [name, target] of [
  ["sqlite :memory:", ":memory:"],
  ["sqlite file", file],
] as const) {
  runKeyValueStoreTests(name, {
    async create() {
      const store = await make(target, []);
      open.set(store.kv, store);
      return store.kv;
    },
    createUnavailable: () => createSqliteStore(nowhere).kv,
    release,
  });
  runRecordStoreTests(name, {
    async create(models) {
      const store = await make(target, models);
      open.set(store.records, store);
      return store.records;
    },
    createUnavailable: (models) => createSqliteStore(nowhere, { models }).records,
    release,
  });
}
