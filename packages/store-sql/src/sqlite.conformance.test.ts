// The shared conformance suite against SQLite: a private in-memory database per
// test, one database file shared by every test of the file, and another file whose
// createMany runs on the writer thread (bulkWrites: "worker").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKeyValueStoreTests, runRecordStoreTests } from "@gatehouse/adapter-tests";
import type { KeyValueStore, ModelSchema, RecordStore } from "@gatehouse/core/store";
import { afterAll } from "vitest";
import { createSqliteStore, type SqliteStoreOptions, type SqlStore } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-sqlite-"));
const file = join(dir, "conformance.db");
const threaded = join(dir, "conformance-threaded.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = new Map<KeyValueStore | RecordStore, SqlStore>();
async function make(target: string, models: readonly ModelSchema[], options: SqliteStoreOptions) {
  const store = createSqliteStore(target, { ...options, models });
  await store.migrate();
  return store;
}
const release = async (s: KeyValueStore | RecordStore) => {
  await open.get(s)?.close();
  open.delete(s);
};
// A file in a directory that does not exist cannot be opened: every operation fails.
const nowhere = join(dir, "missing", "nowhere.db");

for (const [name, target, options] of [
  ["sqlite :memory:", ":memory:", {}],
  ["sqlite file", file, {}],
  ["sqlite file, bulk writes on a worker", threaded, { bulkWrites: "worker" }],
] as const) {
  runKeyValueStoreTests(name, {
    async create() {
      const store = await make(target, [], options);
      open.set(store.kv, store);
      return store.kv;
    },
    createUnavailable: () => createSqliteStore(nowhere, options).kv,
    release,
  });
  runRecordStoreTests(name, {
    async create(models) {
      const store = await make(target, models, options);
      open.set(store.records, store);
      return store.records;
    },
    createUnavailable: (models) => createSqliteStore(nowhere, { ...options, models }).records,
    release,
  });
}
