/**
 * The storage contracts of Gatehouse and their in-memory implementations.
 * Adapter authors implement {@link KeyValueStore} and {@link RecordStore} and
 * run `@gatehouse/adapter-tests` against them.
 *
 * @packageDocumentation
 */
export { StoreUnavailableError } from "./errors.js";
export { type JsonValue, MAX_VALUE_BYTES, serialiseValue } from "./store/json.js";
export {
  checkKey,
  checkStep,
  checkTtl,
  type IncrementOptions,
  type KeyValueStore,
  namespaced,
  type SetOptions,
} from "./store/key-value.js";
export {
  createMemoryKeyValueStore,
  type MemoryKeyValueStore,
  type MemoryKeyValueStoreOptions,
} from "./store/memory-key-value.js";
export {
  compareValues,
  createMemoryRecordStore,
  type MemoryRecordStoreOptions,
} from "./store/memory-record.js";
export {
  type CheckedRange,
  type CheckedRow,
  checkCreate,
  checkCreateInto,
  checkCreateMany,
  checkFieldValue,
  checkOrderField,
  checkPatch,
  checkRange,
  checkWhere,
  defineModel,
  type FieldSpec,
  type FieldType,
  inRange,
  META_FIELDS,
  type ModelSchema,
  type RecordInput,
  type RecordMeta,
  type RecordPatch,
  type StoredRecord,
} from "./store/model.js";
export {
  type CreateManyResult,
  checkLimit,
  createManyFallback,
  decodeCursor,
  encodeCursor,
  type FindManyOptions,
  type Ordering,
  type Page,
  type RangeFilter,
  type RecordInputWithId,
  type RecordStore,
  type UpdateOptions,
} from "./store/record.js";
