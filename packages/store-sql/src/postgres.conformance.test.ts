// The shared conformance suite against the test PostgreSQL, with one store (one
// pool) per test, under a table prefix of this file's own.
import { runKeyValueStoreTests, runRecordStoreTests } from "@gatehouse/adapter-tests";
import type { KeyValueStore, RecordStore } from "@gatehouse/core/store";
import { createPostgresStore, type SqlStore } from "./index.js";
import { pgUrl, UNREACHABLE_PG, uniquePrefix } from "./internal/test-env.js";

const tablePrefix = uniquePrefix("conf");
const open = new Map<KeyValueStore | RecordStore, SqlStore>();
const release = async (s: KeyValueStore | RecordStore) => {
  await open.get(s)?.close();
  open.delete(s);
};

runKeyValueStoreTests("postgres", {
  async create() {
    const store = createPostgresStore(pgUrl(), { tablePrefix });
    await store.migrate();
    open.set(store.kv, store);
    return store.kv;
  },
  createUnavailable: () => createPostgresStore(UNREACHABLE_PG, { tablePrefix }).kv,
  release,
});

runRecordStoreTests("postgres", {
  async create(models) {
    const store = createPostgresStore(pgUrl(), { tablePrefix, models });
    await store.migrate();
    open.set(store.records, store);
    return store.records;
  },
  createUnavailable: (models) =>
    createPostgresStore(UNREACHABLE_PG, { tablePrefix, models }).records,
  release,
});
