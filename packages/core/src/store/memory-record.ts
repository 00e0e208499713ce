import { randomUUID } from "node:crypto";
import { type Clock, systemClock } from "../clock.js";
import { GatehouseError, StoreUnavailableError } from "../errors.js";
import {
  checkCreate,
  checkCreateMany,
  checkOrderField,
  checkPatch,
  checkRange,
  checkWhere,
  inRange,
  type ModelSchema,
  type RecordInput,
  type RecordPatch,
  type StoredRecord,
} from "./model.js";
import { warnIfProduction } from "./production-warning.js";
import {
  type CreateManyResult,
  checkLimit,
  decodeCursor,
  encodeCursor,
  type FindManyOptions,
  type Ordering,
  type Page,
  type RecordInputWithId,
  type RecordStore,
  type UpdateOptions,
} from "./record.js";

/** Options of {@link createMemoryRecordStore}. */
export interface MemoryRecordStoreOptions {
  /** Most records per model; a create beyond it fails with `store_unavailable`. @default 100000 */
  maxRecordsPerModel?: number;
  /** The source of `createdAt`/`updatedAt`. @default the system clock */
  clock?: Clock;
}

type Row = Record<string, unknown> & {
  id: string;
  version: number;
  createdAt: number;
  updatedAt: number;
};

interface Table {
  readonly model: ModelSchema;
  readonly rows: Map<string, Row>;
  /** unique field → serialised value → id */
  readonly unique: Map<string, Map<string, string>>;
}

/**
 * Orders two field values the way SQL adapters do: numbers numerically,
 * booleans false first, strings by Unicode code point (UTF-8 byte order, as
 * PostgreSQL's `COLLATE "C"` and SQLite's BINARY collation compare).
 */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  return (a as number) < (b as number) ? -1 : 1;
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 puts surrogates (astral characters) below U+E000-U+FFFF; code point order puts them above.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * An in-memory {@link RecordStore} for development and tests, with the same
 * semantics as the SQL adapter: unique fields, optimistic versions, keyset
 * pagination. Bounded per model; warns once under `NODE_ENV=production`.
 */
export function createMemoryRecordStore(options: MemoryRecordStoreOptions = {}): RecordStore {
  const max = options.maxRecordsPerModel ?? 100_000;
  const clock = options.clock ?? systemClock;
  const tables = new Map<string, Table>();
  warnIfProduction("createMemoryRecordStore()");

  function table(model: ModelSchema): Table {
    let t = tables.get(model.name);
    if (t === undefined) {
      const unique = new Map<string, Map<string, string>>();
      for (const [field, spec] of Object.entries(model.fields))
        if (spec.unique) unique.set(field, new Map());
      t = { model, rows: new Map(), unique };
      tables.set(model.name, t);
    } else if (t.model !== model && JSON.stringify(t.model) !== JSON.stringify(model)) {
      throw new GatehouseError(
        "store_invalid",
        `${model.name}: two different schemas use this model name`,
      );
    }
    return t;
  }

  const copy = <M extends ModelSchema>(row: Row) =>
    structuredClone(row) as unknown as StoredRecord<M>;

  /** The first unique field of `values` another record holds, if any. */
  function takenUnique(
    t: Table,
    values: Record<string, unknown>,
    selfId: string | undefined,
  ): string | undefined {
    for (const [field, index] of t.unique) {
      const value = values[field];
      if (value === null || value === undefined) continue;
      const owner = index.get(JSON.stringify(value));
      if (owner !== undefined && owner !== selfId) return field;
    }
    return undefined;
  }

  function checkUnique(
    t: Table,
    values: Record<string, unknown>,
    selfId: string | undefined,
  ): void {
    const field = takenUnique(t, values, selfId);
    if (field !== undefined) {
      throw new GatehouseError(
        "store_duplicate",
        `${t.model.name}: another record has this ${field}`,
      );
    }
  }

  function index(t: Table, row: Row, add: boolean): void {
    for (const [field, idx] of t.unique) {
      const value = row[field];
      if (value === null || value === undefined) continue;
      if (add) idx.set(JSON.stringify(value), row.id);
      else idx.delete(JSON.stringify(value));
    }
  }

  function matches(row: Row, where: Record<string, unknown>): boolean {
    for (const key in where) if (row[key] !== where[key]) return false;
    return true;
  }

  return {
    async create<M extends ModelSchema>(model: M, data: RecordInput<M>) {
      const t = table(model);
      const values = checkCreate(model, data as Record<string, unknown>);
      const id = (data as { id?: string }).id ?? randomUUID();
      if (t.rows.has(id))
        throw new GatehouseError("store_duplicate", `${model.name}: id already exists`);
      checkUnique(t, values, undefined);
      if (t.rows.size >= max)
        throw new StoreUnavailableError(
          `${model.name}: the memory store is full (${max} records).`,
        );
      const now = clock.now();
      const row: Row = {
        ...structuredClone(values),
        id,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      t.rows.set(id, row);
      index(t, row, true);
      return copy<M>(row);
    },

    async createMany<M extends ModelSchema>(
      model: M,
      rows: readonly RecordInputWithId<M>[],
    ): Promise<CreateManyResult> {
      const t = table(model);
      const checked = checkCreateMany(model, rows);
      // Synchronous from here on: no other call sees a partly written batch.
      const fresh = new Set<string>();
      for (const { id } of checked) if (!t.rows.has(id)) fresh.add(id);
      if (t.rows.size + fresh.size > max) {
        throw new StoreUnavailableError(
          `${model.name}: the memory store is full (${max} records).`,
        );
      }
      const now = clock.now();
      let inserted = 0;
      for (const { id, values } of checked) {
        if (t.rows.has(id) || takenUnique(t, values, undefined) !== undefined) continue;
        const row: Row = {
          ...structuredClone(values),
          id,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        t.rows.set(id, row);
        index(t, row, true);
        inserted++;
      }
      return { inserted };
    },

    async findOne<M extends ModelSchema>(
      model: M,
      where: NonNullable<FindManyOptions<M>["where"]>,
    ) {
      const t = table(model);
      const w = checkWhere(model, where as Record<string, unknown>);
      if (typeof w.id === "string") {
        const row = t.rows.get(w.id);
        return row !== undefined && matches(row, w) ? copy<M>(row) : undefined;
      }
      for (const row of t.rows.values()) if (matches(row, w)) return copy<M>(row);
      return undefined;
    },

    async findMany<M extends ModelSchema>(
      model: M,
      opts: FindManyOptions<M> = {},
    ): Promise<Page<StoredRecord<M>>> {
      const t = table(model);
      const w = checkWhere(model, opts.where as Record<string, unknown> | undefined);
      const ordering: Ordering = {
        field: opts.orderBy?.field ?? "createdAt",
        direction: opts.orderBy?.direction ?? "asc",
      };
      checkOrderField(model, ordering.field);
      const range = checkRange(model, opts.range);
      const limit = checkLimit(opts.limit);
      const sign = ordering.direction === "asc" ? 1 : -1;
      const after =
        opts.cursor === undefined ? undefined : decodeCursor(ordering, opts.cursor, model);
      const rows: Row[] = [];
      for (const row of t.rows.values()) {
        if (!matches(row, w)) continue;
        if (range !== undefined && !inRange(range, row[range.field])) continue;
        if (after !== undefined) {
          const c =
            compareValues(row[ordering.field], after.value) || compareValues(row.id, after.id);
          if (c * sign <= 0) continue;
        }
        rows.push(row);
      }
      rows.sort(
        (a, b) =>
          sign * (compareValues(a[ordering.field], b[ordering.field]) || compareValues(a.id, b.id)),
      );
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map((r) => copy<M>(r)),
        nextCursor:
          rows.length > limit && last !== undefined
            ? encodeCursor(ordering, last[ordering.field], last.id)
            : null,
      };
    },

    async update<M extends ModelSchema>(
      model: M,
      id: string,
      patch: RecordPatch<M>,
      opts: UpdateOptions = {},
    ) {
      const t = table(model);
      const values = checkPatch(model, patch as Record<string, unknown>);
      const row = t.rows.get(id);
      if (row === undefined)
        throw new GatehouseError("store_not_found", `${model.name}: no record with this id`);
      if (opts.expectedVersion !== undefined && opts.expectedVersion !== row.version) {
        throw new GatehouseError(
          "store_conflict",
          `${model.name}: the record changed since version ${opts.expectedVersion}`,
        );
      }
      checkUnique(t, values, id);
      index(t, row, false);
      const next: Row = {
        ...row,
        ...structuredClone(values),
        version: row.version + 1,
        updatedAt: Math.max(clock.now(), row.updatedAt),
      };
      t.rows.set(id, next);
      index(t, next, true);
      return copy<M>(next);
    },

    async delete<M extends ModelSchema>(model: M, id: string) {
      const t = table(model);
      const row = t.rows.get(id);
      if (row === undefined) return false;
      index(t, row, false);
      return t.rows.delete(id);
    },
  };
}
