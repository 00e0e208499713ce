/**
 * The Gatehouse storage conformance suite. Adapter authors call
 * {@link runKeyValueStoreTests} and {@link runRecordStoreTests} at the top
 * level of a vitest file to prove a `KeyValueStore` or `RecordStore`
 * implementation meets the contract of `@gatehouse/core/store`, including
 * its atomicity under concurrency.
 *
 * @packageDocumentation
 */
export type { KeyValueStoreHarness, RecordStoreHarness } from "./harness.js";
export {
  type KeyValueCheck,
  type KeyValueCheckOptions,
  keyValueChecks,
  type UnavailableCheckOptions,
} from "./key-value-checks.js";
export { conformanceModels } from "./models.js";
export { type RecordCheck, recordChecks } from "./record-checks.js";
export {
  type KeyValueStoreTestOptions,
  type RecordStoreTestOptions,
  runKeyValueStoreTests,
  runRecordStoreTests,
} from "./suite.js";
