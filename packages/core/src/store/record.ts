import { GatehouseError } from "../errors.js";
import {
  checkFieldValue,
  type ModelSchema,
  type RecordInput,
  type RecordPatch,
  type StoredRecord,
} from "./model.js";

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
  /** The first record matching every filter, or `undefined`. */
  findOne<M extends ModelSchema>(
    model: M,
    where: NonNullable<FindManyOptions<M>["where"]>,
  ): Promise<StoredRecord<M> | undefined>;
  /** A page of matching records in a stable order, with keyset pagination. */
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
