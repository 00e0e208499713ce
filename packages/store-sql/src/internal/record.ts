// RecordStore on one table per model, with the semantics of core's memory store.
import { randomUUID } from "node:crypto";
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import {
  type CheckedRange,
  type CreateManyResult,
  checkCreate,
  checkCreateInto,
  checkFieldValue,
  checkLimit,
  checkOrderField,
  checkPatch,
  checkRange,
  checkWhere,
  decodeCursor,
  encodeCursor,
  type FindManyOptions,
  type ModelSchema,
  type Ordering,
  type Page,
  type RecordInput,
  type RecordInputWithId,
  type RecordPatch,
  type RecordStore,
  type StoredRecord,
  serialiseValue,
  type UpdateOptions,
} from "@gatehouse/core/store";
import { CompiledQuery, type RawBuilder, sql } from "kysely";
import type { BulkChunk } from "./bulk-writer.js";
import { type AnyDb, type StoreContext, toNumber, unstorableString } from "./context.js";
import { type ColumnInfo, META_COLUMNS, q, type TableInfo } from "./schema.js";

type Row = Record<string, unknown>;
type Fragment = RawBuilder<unknown>;

/**
 * The most bound parameters one statement may carry: SQLite's
 * SQLITE_MAX_VARIABLE_NUMBER (32766 since 3.32), PostgreSQL's protocol limit (65535).
 */
export const MAX_PARAMETERS: Readonly<Record<"postgres" | "sqlite", number>> = Object.freeze({
  postgres: 65_535,
  sqlite: 32_766,
});

/**
 * How many rows of a model one multi-row INSERT of `createMany` holds: every
 * row binds its id, createdAt, updatedAt and at most one parameter per column.
 */
export function rowsPerInsert(dialect: "postgres" | "sqlite", columns: number): number {
  return Math.floor(MAX_PARAMETERS[dialect] / (3 + columns));
}

const RANGE_OPERATORS = { gte: ">=", gt: ">", lte: "<=", lt: "<" } as const;

function invalid(info: TableInfo, message: string): never {
  throw new GatehouseError("store_invalid", `${info.model.name}: ${message}`);
}

/** The record store of `tables` (every model must have been passed to `createSqlStore`). */
export function createRecords(
  ctx: StoreContext,
  tables: ReadonlyMap<string, TableInfo>,
): RecordStore {
  const pg = ctx.dialect === "postgres";
  const selects = new Map<TableInfo, Fragment>();
  const insertTexts = new Map<string, string>();

  function infoOf(model: ModelSchema): TableInfo {
    const info = tables.get(model?.name);
    if (info === undefined) {
      throw new GatehouseError(
        "store_invalid",
        `${String(model?.name)}: this model was not passed to createSqlStore({ models }) (and migrated)`,
      );
    }
    if (info.model !== model && JSON.stringify(info.model) !== JSON.stringify(model)) {
      invalid(info, "two different schemas use this model name");
    }
    return info;
  }

  /** The select list: columns aliased to field names, jsonb read as text so the parser is ours. */
  function selectList(info: TableInfo): Fragment {
    let list = selects.get(info);
    if (list === undefined) {
      const parts = Object.entries(META_COLUMNS).map(
        ([field, column]) => `${q(column)} AS ${q(field)}`,
      );
      for (const c of info.columns) {
        parts.push(
          pg && c.type === "json"
            ? `${q(c.column)}::text AS ${q(c.field)}`
            : `${q(c.column)} AS ${q(c.field)}`,
        );
      }
      list = sql.raw(parts.join(", "));
      selects.set(info, list);
    }
    return list;
  }

  function decodeValue(c: ColumnInfo, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    switch (c.type) {
      case "string":
        return String(value);
      case "integer":
      case "timestamp":
      case "number":
        return toNumber(value);
      case "boolean":
        return value === true || value === 1 || value === 1n || value === "t";
      case "json":
        return typeof value === "string" ? JSON.parse(value) : value;
    }
  }

  function decode<M extends ModelSchema>(info: TableInfo, row: Row): StoredRecord<M> {
    const out: Row = {
      id: String(row.id),
      version: toNumber(row.version),
      createdAt: toNumber(row.createdAt),
      updatedAt: toNumber(row.updatedAt),
    };
    for (const c of info.columns) out[c.field] = decodeValue(c, row[c.field]);
    return out as StoredRecord<M>;
  }

  /**
   * A bound integer compared with a meta column: cast to bigint on PostgreSQL
   * so a value beyond `version`'s int4 range compares (unequal) instead of failing.
   */
  const metaParam = (value: unknown): Fragment =>
    pg ? sql`CAST(${value} AS bigint)` : sql`${value}`;

  /** A bound parameter for a checked, non-null field value. */
  function param(info: TableInfo, c: ColumnInfo, value: unknown): Fragment {
    switch (c.type) {
      case "boolean":
        return pg ? sql`${value}` : sql`${value ? 1 : 0}`;
      case "json":
        return pg ? sql`CAST(${serialiseValue(value)} AS jsonb)` : sql`${serialiseValue(value)}`;
      case "string":
        if (unstorableString(ctx.dialect, value as string)) {
          invalid(info, `field "${c.field}" holds a character the database cannot store`);
        }
        return sql`${value}`;
      default:
        return sql`${value}`;
    }
  }

  /** The columns whose checked values the driver cannot bind as they are: json, and booleans on SQLite. */
  const encodedColumns = new WeakMap<TableInfo, number[]>();
  function encodedOf(info: TableInfo): number[] {
    let list = encodedColumns.get(info);
    if (list === undefined) {
      list = [];
      info.columns.forEach((c, i) => {
        if (c.type === "json" || (c.type === "boolean" && !pg)) list!.push(i);
      });
      encodedColumns.set(info, list);
    }
    return list;
  }

  /** A checked, non-null json or boolean value as the driver binds it (what `param` wraps). */
  const encodeParam = (c: ColumnInfo, value: unknown): unknown =>
    c.type === "json" ? JSON.stringify(value) : value ? 1 : 0;

  /**
   * The text of a `rows`-row INSERT of `createMany`, built once per table and
   * row count: building one query fragment per bound value cost more than the
   * database's own work on large batches.
   */
  function insertText(info: TableInfo, rows: number): string {
    const key = `${info.table}\u0000${rows}`;
    let text = insertTexts.get(key);
    if (text === undefined) {
      const columns = ['"id"', '"version"', '"created_at"', '"updated_at"']
        .concat(info.columns.map((c) => q(c.column)))
        .join(", ");
      let n = 0;
      const slot = () => (pg ? `$${++n}` : "?");
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) {
        // id, version (always 1: a literal, not a parameter), created_at, updated_at
        const cells = [slot(), "1", slot(), slot()];
        for (const c of info.columns) {
          const p = slot();
          cells.push(pg && c.type === "json" ? `CAST(${p} AS jsonb)` : p);
        }
        tuples.push(`(${cells.join(", ")})`);
      }
      // No conflict target: a row whose id or any unique value is taken is skipped.
      text = `INSERT INTO ${q(info.table)} (${columns}) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`;
      if (insertTexts.size >= 64) insertTexts.delete(insertTexts.keys().next().value as string);
      insertTexts.set(key, text);
    }
    return text;
  }

  /** The WHERE conditions of checked filters, or `undefined` when nothing can match. */
  function conditions(info: TableInfo, where: Record<string, unknown>): Fragment[] | undefined {
    const out: Fragment[] = [];
    for (const [key, value] of Object.entries(where)) {
      const meta = META_COLUMNS[key];
      if (meta !== undefined) {
        if (key !== "id" && !Number.isSafeInteger(value)) return undefined;
        out.push(sql`${sql.raw(q(meta))} = ${key === "id" ? sql`${value}` : metaParam(value)}`);
        continue;
      }
      const c = info.byField.get(key)!;
      if (value === null) {
        out.push(sql`${sql.raw(q(c.column))} IS NULL`);
      } else if (c.type === "string" && unstorableString(ctx.dialect, value as string)) {
        return undefined;
      } else {
        out.push(sql`${sql.raw(q(c.column))} = ${param(info, c, value)}`);
      }
    }
    return out;
  }

  /** The conditions of a checked range: comparisons exclude NULL; no bound at all means IS NOT NULL. */
  function rangeConditions(info: TableInfo, range: CheckedRange): Fragment[] {
    const meta = META_COLUMNS[range.field];
    const column = sql.raw(q(meta ?? info.byField.get(range.field)!.column));
    const out: Fragment[] = [];
    for (const [bound, op] of Object.entries(RANGE_OPERATORS)) {
      const value = range[bound as keyof typeof RANGE_OPERATORS];
      if (value === undefined) continue;
      out.push(
        sql`${column} ${sql.raw(op)} ${meta === undefined ? sql`${value}` : metaParam(value)}`,
      );
    }
    if (out.length === 0) out.push(sql`${column} IS NOT NULL`);
    return out;
  }

  const whereClause = (parts: readonly Fragment[]) =>
    parts.length === 0 ? sql`` : sql`WHERE ${sql.join(parts, sql` AND `)}`;

  /** Checks the value a cursor carries against the ordering field's type. */
  function cursorValue(info: TableInfo, field: string, value: unknown): unknown {
    const ok =
      field === "id"
        ? typeof value === "string"
        : field in META_COLUMNS
          ? Number.isSafeInteger(value)
          : (() => {
              try {
                return checkFieldValue(info.model, field, value) !== null;
              } catch {
                return false;
              }
            })();
    if (!ok) invalid(info, "The cursor is malformed or belongs to another ordering.");
    return value;
  }

  return {
    async create<M extends ModelSchema>(model: M, data: RecordInput<M>) {
      const info = infoOf(model);
      const values = checkCreate(model, data as Record<string, unknown>);
      const id = (data as { id?: string }).id ?? randomUUID();
      const columns = [sql.raw('"id", "version", "created_at", "updated_at"')];
      const params: Fragment[] = [];
      for (const c of info.columns) {
        columns.push(sql.raw(q(c.column)));
        const value = values[c.field];
        params.push(value === null ? sql`NULL` : param(info, c, value));
      }
      return ctx.run(
        "create",
        async () => {
          const now = ctx.clock.now();
          const { rows } =
            await sql<Row>`INSERT INTO ${sql.raw(q(info.table))} (${sql.join(columns)})
VALUES (${sql.join([sql`${id}`, sql`1`, sql`${now}`, sql`${now}`, ...params])})
RETURNING ${selectList(info)}`.execute(ctx.db);
          return decode<M>(info, rows[0]!);
        },
        info,
      );
    },

    async createMany<M extends ModelSchema>(
      model: M,
      rows: readonly RecordInputWithId<M>[],
    ): Promise<CreateManyResult> {
      const info = infoOf(model);
      if (!Array.isArray(rows)) invalid(info, "createMany needs an array of records");
      if (rows.length === 0) return { inserted: 0 };
      // Check and encode every row before writing, straight into the bound parameters: per
      // row its id, created_at and updated_at (the time, set below), then the columns.
      const { columns } = info;
      const encoded = encodedOf(info);
      const width = 3 + columns.length;
      const params: unknown[] = new Array(rows.length * width);
      for (let r = 0, p = 0; r < rows.length; r++, p += width) {
        try {
          const id = checkCreateInto(model, rows[r] as Record<string, unknown>, params, p + 3);
          if (id === undefined) invalid(info, "createMany needs the id of every record");
          params[p] = id;
        } catch (err) {
          if (!isGatehouseError(err)) throw err;
          throw new GatehouseError("store_invalid", `${err.message} (rows[${r}])`, { cause: err });
        }
        // The checks refused NUL and lone surrogates: only json and booleans need encoding.
        for (const i of encoded) {
          const value = params[p + 3 + i];
          if (value !== null) params[p + 3 + i] = encodeParam(columns[i]!, value);
        }
      }
      const perChunk = rowsPerInsert(ctx.dialect, columns.length);
      return ctx.run(
        "createMany",
        async () => {
          const now = ctx.clock.now();
          for (let i = 1; i < params.length; i += width) params[i] = params[i + 1] = now;
          const bound = (first: number, count: number) =>
            count === rows.length ? params : params.slice(first * width, (first + count) * width);
          if (ctx.bulkWriter !== undefined) {
            // The writer thread runs the chunks in one transaction.
            const chunks: BulkChunk[] = [];
            for (let i = 0; i < rows.length; i += perChunk) {
              const count = Math.min(perChunk, rows.length - i);
              chunks.push({ text: insertText(info, count), params: bound(i, count) });
            }
            return { inserted: await ctx.bulkWriter.insert(chunks) };
          }
          const insert = async (db: AnyDb, first: number, count: number): Promise<number> => {
            const text = insertText(info, count);
            const values = bound(first, count);
            if (pg) ctx.statementNames.use(text, values.length);
            const result = await db.executeQuery(CompiledQuery.raw(text, values));
            return Number(result.numAffectedRows ?? 0n);
          };
          if (rows.length <= perChunk) return { inserted: await insert(ctx.db, 0, rows.length) };
          // Several statements: one transaction, so the batch is still all or nothing.
          return ctx.db.transaction().execute(async (trx) => {
            let inserted = 0;
            for (let i = 0; i < rows.length; i += perChunk) {
              inserted += await insert(trx, i, Math.min(perChunk, rows.length - i));
            }
            return { inserted };
          });
        },
        info,
      );
    },

    async findOne<M extends ModelSchema>(
      model: M,
      where: NonNullable<FindManyOptions<M>["where"]>,
    ) {
      const info = infoOf(model);
      const conds = conditions(info, checkWhere(model, where as Record<string, unknown>));
      if (conds === undefined) return undefined;
      return ctx.run(
        "findOne",
        async () => {
          const { rows } =
            await sql<Row>`SELECT ${selectList(info)} FROM ${sql.raw(q(info.table))} ${whereClause(conds)} LIMIT 1`.execute(
              ctx.db,
            );
          return rows[0] === undefined ? undefined : decode<M>(info, rows[0]);
        },
        info,
      );
    },

    async findMany<M extends ModelSchema>(
      model: M,
      opts: FindManyOptions<M> = {},
    ): Promise<Page<StoredRecord<M>>> {
      const info = infoOf(model);
      const conds = conditions(info, checkWhere(model, opts.where as Record<string, unknown>));
      const ordering: Ordering = {
        field: opts.orderBy?.field ?? "createdAt",
        direction: opts.orderBy?.direction ?? "asc",
      };
      checkOrderField(model, ordering.field);
      const range = checkRange(model, opts.range);
      const limit = checkLimit(opts.limit);
      const after = opts.cursor === undefined ? undefined : decodeCursor(ordering, opts.cursor);
      if (conds === undefined) return { items: [], nextCursor: null };
      if (range !== undefined) conds.push(...rangeConditions(info, range));

      const meta = META_COLUMNS[ordering.field];
      const c = info.byField.get(ordering.field);
      const text = ordering.field === "id" || c?.type === "string";
      const collate = pg && text ? ' COLLATE "C"' : "";
      const col = sql.raw(`${q(meta ?? c!.column)}${collate}`);
      const idCol = sql.raw(`"id"${pg ? ' COLLATE "C"' : ""}`);
      const asc = ordering.direction === "asc";
      const dir = sql.raw(asc ? "ASC" : "DESC");
      const cmp = sql.raw(asc ? ">" : "<");
      if (after !== undefined) {
        const value = cursorValue(info, ordering.field, after.value);
        const v =
          c !== undefined
            ? param(info, c, value)
            : ordering.field === "id"
              ? sql`${value}`
              : metaParam(value);
        conds.push(sql`(${col} ${cmp} ${v} OR (${col} = ${v} AND ${idCol} ${cmp} ${after.id}))`);
      }
      return ctx.run(
        "findMany",
        async () => {
          const { rows } =
            await sql<Row>`SELECT ${selectList(info)} FROM ${sql.raw(q(info.table))} ${whereClause(conds)}
ORDER BY ${col} ${dir}, ${idCol} ${dir} LIMIT ${sql.raw(String(limit + 1))}`.execute(ctx.db);
          const items = rows.slice(0, limit).map((row) => decode<M>(info, row));
          const last = items[items.length - 1] as Row | undefined;
          return {
            items,
            nextCursor:
              rows.length > limit && last !== undefined
                ? encodeCursor(ordering, last[ordering.field], last.id as string)
                : null,
          };
        },
        info,
      );
    },

    async update<M extends ModelSchema>(
      model: M,
      id: string,
      patch: RecordPatch<M>,
      opts: UpdateOptions = {},
    ) {
      const info = infoOf(model);
      const values = checkPatch(model, patch as Record<string, unknown>);
      const sets: Fragment[] = [];
      for (const [field, value] of Object.entries(values)) {
        const c = info.byField.get(field)!;
        sets.push(
          sql`${sql.raw(q(c.column))} = ${value === null ? sql`NULL` : param(info, c, value)}`,
        );
      }
      const expected = opts.expectedVersion;
      const notFound = () =>
        new GatehouseError("store_not_found", `${model.name}: no record with this id`);
      const conflict = () =>
        new GatehouseError(
          "store_conflict",
          `${model.name}: the record changed since version ${expected}`,
        );
      if (typeof id !== "string") throw notFound();
      return ctx.run(
        "update",
        async () => {
          const now = ctx.clock.now();
          // A version that cannot match skips the UPDATE and reports like a stale one.
          const matchable = expected === undefined || Number.isSafeInteger(expected);
          if (matchable) {
            const versionCheck =
              expected === undefined ? sql`` : sql` AND "version" = ${metaParam(expected)}`;
            const { rows } = await sql<Row>`UPDATE ${sql.raw(q(info.table))} SET ${sql.join([
              ...sets,
              sql`"version" = "version" + 1`,
              sql`"updated_at" = CASE WHEN "updated_at" > ${now} THEN "updated_at" ELSE ${now} END`,
            ])}
WHERE "id" = ${id}${versionCheck}
RETURNING ${selectList(info)}`.execute(ctx.db);
            if (rows[0] !== undefined) return decode<M>(info, rows[0]);
          }
          const { rows } =
            await sql`SELECT 1 AS "one" FROM ${sql.raw(q(info.table))} WHERE "id" = ${id}`.execute(
              ctx.db,
            );
          throw rows.length === 0 || expected === undefined ? notFound() : conflict();
        },
        info,
      );
    },

    async delete<M extends ModelSchema>(model: M, id: string) {
      const info = infoOf(model);
      if (typeof id !== "string") return false;
      return ctx.run(
        "delete",
        async () => {
          const { rows } =
            await sql`DELETE FROM ${sql.raw(q(info.table))} WHERE "id" = ${id} RETURNING "id"`.execute(
              ctx.db,
            );
          return rows.length > 0;
        },
        info,
      );
    },
  };
}
