import { GatehouseError, isGatehouseError } from "../errors.js";
import {
  checkCreateMany,
  checkFieldValue,
  type ModelSchema,
  type RecordInput,
  type RecordPatch,
  type StoredRecord,
} from "./model.js";

/**
 * The fields of `F` a range may bound: integer, number and timestamp fields
 * (every field name, for a model whose field types are not known statically).
 */
type NumericFieldKeys<F> = {
  [K in keyof F]: F[K] extends { type: infer T }
    ? [Extract<T, "integer" | "number" | "timestamp">] extends [never]
      ? never
      : K
    : never;
}[keyof F] &
  string;

/**
 * A range filter of {@link RecordStore.findMany}: records whose `field` is
 * non-null and within every bound given (bounds left out do not constrain).
 * Bounds on integer and timestamp fields are safe integers; on `number`
 * fields, finite numbers. No bound at all matches every record whose field is
 * non-null; contradictory bounds (`{ gt: 5, lt: 5 }`) match nothing.
 *
 * @example
 * ```ts
 * // audit events of one day, newest first
 * await store.findMany(auditEventModel, {
 *   where: { orgId },
 *   range: { field: "time", gte: dayStart, lt: dayStart + 86_400_000 },
 *   orderBy: { field: "time", direction: "desc" },
 * });
 * ```
 */
export interface RangeFilter<M extends ModelSchema> {
  /** `createdAt`, `updatedAt`, or an integer, number or timestamp field of the model. */
  field: NumericFieldKeys<M["fields"]> | "createdAt" | "updatedAt";
  /** Greater than or equal to. @default no lower bound */
  gte?: number;
  /** Strictly greater than. @default no lower bound */
  gt?: number;
  /** Less than or equal to. @default no upper bound */
  lte?: number;
  /** Strictly less than. @default no upper bound */
  lt?: number;
}

/** How {@link RecordStore.findMany} orders and pages. */
export interface FindManyOptions<M extends ModelSchema> {
  /** Equality filters; `null` matches records where the field is null. */
  where?: Partial<
    Record<keyof M["fields"] | "id" | "version" | "createdAt" | "updatedAt", unknown>
  >;
  /**
   * Sort field (a meta field or a required, non-json field) and direction;
   * ties are broken by `id` in the same direction. @default { field: "createdAt", direction: "asc" }
   */
  orderBy?: {
    field: (keyof M["fields"] & string) | "id" | "createdAt" | "updatedAt";
    direction?: "asc" | "desc";
  };
  /**
   * Bounds on one numeric field, combined (AND) with `where`, e.g. "created
   * in this hour" or "due before now". Works with any `orderBy` and cursor,
   * including ordering by the ranged field itself.
   * @default no range
   */
  range?: RangeFilter<M>;
  /** Most records returned. @default 50 (at most 1000) */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of {@link RecordStore.findMany}. */
export interface Page<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; `null` after the last page. */
  readonly nextCursor: string | null;
}

/** A record for {@link RecordStore.createMany}: the fields of a create, with the `id` given. */
export type RecordInputWithId<M extends ModelSchema> = RecordInput<M> & { id: string };

/** What {@link RecordStore.createMany} resolves. */
export interface CreateManyResult {
  /** How many records were written: the rows given less those skipped as already present. */
  readonly inserted: number;
}

/** Options of {@link RecordStore.update}. */
export interface UpdateOptions {
  /** Update only if the record is still at this version, else reject with `store_conflict`. */
  expectedVersion?: number;
}

/**
 * Durable records of the models packages declare with `defineModel()`. One
 * adapter serves every package. Failures are typed: `store_duplicate` (unique
 * field), `store_conflict` (stale `expectedVersion`), `store_not_found`,
 * `store_invalid`, `store_unavailable`.
 *
 * Implement it for your database and prove it with `@gatehouse/adapter-tests`.
 */
export interface RecordStore {
  /** Creates a record; the store sets `id` (unless given), `version` 1, `createdAt`, `updatedAt`. */
  create<M extends ModelSchema>(model: M, data: RecordInput<M>): Promise<StoredRecord<M>>;
  /**
   * Creates many records in one atomic operation (all or none), each with
   * `version` 1 and the same `createdAt`/`updatedAt`. Idempotent by id: a row
   * whose `id`, or any unique field's value, is already taken (by a stored
   * record or an earlier row of the batch) is skipped, not an error, so a
   * batch resent after an outage writes only what is missing. Every row must
   * give its `id`. Every row is validated first: one bad row rejects
   * `store_invalid` and nothing is written.
   *
   * Optional: adapters without it stay valid. Callers fall back to
   * {@link createManyFallback} (not atomic).
   *
   * @example
   * ```ts
   * const { inserted } = store.createMany
   *   ? await store.createMany(auditEventModel, batch)
   *   : await createManyFallback(store, auditEventModel, batch);
   * ```
   */
  createMany?<M extends ModelSchema>(
    model: M,
    rows: readonly RecordInputWithId<M>[],
  ): Promise<CreateManyResult>;
  /** The first record matching every filter, or `undefined`. */
  findOne<M extends ModelSchema>(
    model: M,
    where: NonNullable<FindManyOptions<M>["where"]>,
  ): Promise<StoredRecord<M> | undefined>;
  /** A page of matching records (`where` and `range`) in a stable order, with keyset pagination. */
  findMany<M extends ModelSchema>(
    model: M,
    options?: FindManyOptions<M>,
  ): Promise<Page<StoredRecord<M>>>;
  /** Changes fields of record `id`, bumping `version` and `updatedAt`. */
  update<M extends ModelSchema>(
    model: M,
    id: string,
    patch: RecordPatch<M>,
    options?: UpdateOptions,
  ): Promise<StoredRecord<M>>;
  /** Deletes record `id`; resolves whether it existed. */
  delete<M extends ModelSchema>(model: M, id: string): Promise<boolean>;
}

/** The resolved ordering of a `findMany` call. */
export interface Ordering {
  readonly field: string;
  readonly direction: "asc" | "desc";
}

/** Encodes the position after `record` for `ordering`: opaque to callers. */
export function encodeCursor(ordering: Ordering, value: unknown, id: string): string {
  return Buffer.from(JSON.stringify([ordering.field, ordering.direction, value, id])).toString(
    "base64url",
  );
}

/**
 * Decodes a cursor made by {@link encodeCursor} for the same ordering.
 * Cursors come from clients, so the position value is checked against the
 * ordered field's type (pass `model`): a forged cursor is `store_invalid`,
 * never a driver error.
 */
export function decodeCursor(
  ordering: Ordering,
  cursor: string,
  model?: ModelSchema,
): { value: unknown; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(parsed) &&
      parsed.length === 4 &&
      parsed[0] === ordering.field &&
      parsed[1] === ordering.direction &&
      typeof parsed[3] === "string" &&
      fitsField(model, ordering.field, parsed[2])
    ) {
      return { value: parsed[2], id: parsed[3] };
    }
  } catch {
    // fall through
  }
  throw new GatehouseError(
    "store_invalid",
    "The cursor is malformed or belongs to another ordering.",
  );
}

function fitsField(model: ModelSchema | undefined, field: string, value: unknown): boolean {
  if (field === "id") return typeof value === "string";
  if (field === "version" || field === "createdAt" || field === "updatedAt") {
    return Number.isSafeInteger(value);
  }
  if (model === undefined) {
    return typeof value === "string" || typeof value === "boolean" || Number.isFinite(value);
  }
  if (value === null) return false;
  checkFieldValue(model, field, value);
  return true;
}

/** Checks and defaults `limit`. */
export function checkLimit(limit: unknown): number {
  if (limit === undefined) return 50;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new GatehouseError("store_invalid", "limit must be a whole number from 1 to 1000.");
  }
  return limit;
}

/**
 * `createMany` for a store that does not have it: validates every row first
 * (`store_invalid`, nothing written), then creates the rows one by one,
 * skipping those rejected `store_duplicate` (id or unique value taken).
 *
 * **Not atomic**: if a create fails midway (`store_unavailable`), the rows
 * before it stay written. Since it skips what exists, resending the whole
 * batch completes it.
 *
 * @example
 * ```ts
 * const { inserted } = store.createMany
 *   ? await store.createMany(model, rows)
 *   : await createManyFallback(store, model, rows);
 * ```
 */
export async function createManyFallback<M extends ModelSchema>(
  store: RecordStore,
  model: M,
  rows: readonly RecordInputWithId<M>[],
): Promise<CreateManyResult> {
  checkCreateMany(model, rows);
  let inserted = 0;
  for (const row of rows) {
    try {
      await store.create(model, row);
      inserted++;
    } catch (err) {
      if (!isGatehouseError(err) || err.code !== "store_duplicate") throw err;
    }
  }
  return { inserted };
}
