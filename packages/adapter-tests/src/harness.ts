import type { KeyValueStore, ModelSchema, RecordStore } from "@gatehouse/core/store";

/** What an adapter author gives {@link runKeyValueStoreTests}. */
export interface KeyValueStoreHarness {
  /**
   * A ready store. Called once per test; stores may share one backend (the
   * suite gives every test its own key prefix).
   */
  create(): KeyValueStore | Promise<KeyValueStore>;
  /**
   * A store whose backend cannot be reached (a closed port, a stopped
   * server). Its operations must reject with `store_unavailable` within the
   * adapter's timeout. Omit only if the adapter has no backend to lose.
   */
  createUnavailable?(): KeyValueStore | Promise<KeyValueStore>;
  /** Called after each test with the store `create()` returned. */
  release?(store: KeyValueStore): void | Promise<void>;
}

/** What an adapter author gives {@link runRecordStoreTests}. */
export interface RecordStoreHarness {
  /**
   * A ready store for `models` (create tables / run migrations for them
   * here). Called once per test; the suite isolates tests by a random `group`
   * field, so stores may share one backend.
   */
  create(models: readonly ModelSchema[]): RecordStore | Promise<RecordStore>;
  /** A store whose backend cannot be reached; see {@link KeyValueStoreHarness.createUnavailable}. */
  createUnavailable?(models: readonly ModelSchema[]): RecordStore | Promise<RecordStore>;
  /** Called after each test with the store `create()` returned. */
  release?(store: RecordStore): void | Promise<void>;
}
