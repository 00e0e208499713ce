import { randomUUID } from "node:crypto";
import { access, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import {
  type CreateManyResult,
  checkCreate,
  checkCreateMany,
  checkLimit,
  checkOrderField,
  checkPatch,
  checkRange,
  checkWhere,
  compareValues,
  decodeCursor,
  encodeCursor,
  type FindManyOptions,
  inRange,
  type ModelSchema,
  type Ordering,
  type Page,
  type RecordInput,
  type RecordInputWithId,
  type RecordPatch,
  type RecordStore,
  type StoredRecord,
  StoreUnavailableError,
  type UpdateOptions,
} from "@gatehouse/core/store";
import { createLocks, type LockOptions } from "./lock.js";

/** Options of {@link createFileRecordStore}. */
export interface FileRecordStoreOptions extends LockOptions {
  /** The source of `createdAt` and `updatedAt`. @default Date */
  clock?: { now(): number };
}

type Row = Record<string, unknown> & {
  id: string;
  version: number;
  createdAt: number;
  updatedAt: number;
};

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * A {@link RecordStore} kept in a directory: one file per model
 * (`<model name>.records.json`, a JSON array of records), shared safely by every
 * process that opens the same directory.
 *
 * - Readers never lock: every write replaces the whole file with an atomic
 *   `rename`, so a reader sees the records before a write or after it.
 * - Writers of a model take its lock file, so each write (`create`, `update`
 *   with its version check, `delete`, `createMany`) is one read-modify-write no
 *   other writer can interleave with. That also makes `createMany` atomic: the
 *   whole batch lands in one rename, or none of it does.
 * - `findMany` filters (`where`, `range`), orders by `(field, id)` and pages
 *   with core's cursors, in memory.
 *
 * Every write rewrites the model's file, so this suits small data sets (a
 * development server, a demo), not an audit log of millions of events.
 *
 * @example
 * ```ts
 * const records = createFileRecordStore("/var/lib/myapp/records");
 * await records.create(sessionModel, { userId: "u1", tokenHash, expiresAt });
 * ```
 */
export function createFileRecordStore(
  dir: string,
  options: FileRecordStoreOptions = {},
): RecordStore {
  const clock = options.clock ?? Date;
  const { locked } = createLocks(options);

  const paths = (model: ModelSchema) => ({
    file: join(dir, `${model.name}.records.json`),
    lock: join(dir, `${model.name}.records.lock`),
  });

  /** The records of a model; none when its file does not exist. A missing directory is an outage. */
  async function load(file: string): Promise<Row[]> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if (errno(err) !== "ENOENT") throw err;
      await access(dir);
      return [];
    }
    return JSON.parse(text) as Row[];
  }

  /** Replaces the model's file atomically. */
  async function save(file: string, rows: readonly Row[]): Promise<void> {
    const temp = join(dir, `.records.${randomUUID()}.tmp`);
    await writeFile(temp, JSON.stringify(rows), { flag: "wx" });
    try {
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  /** Maps file system failures (missing directory, EACCES, ENOSPC, corrupt file) to `store_unavailable`. */
  async function run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isGatehouseError(err)) throw err;
      throw new StoreUnavailableError("The file store cannot use its directory.", { cause: err });
    }
  }

  const uniqueFields = (model: ModelSchema) =>
    Object.entries(model.fields)
      .filter(([, spec]) => spec.unique)
      .map(([field]) => field);

  /** The first unique field of `values` another record holds, if any. */
  function takenUnique(
    model: ModelSchema,
    rows: readonly Row[],
    values: Record<string, unknown>,
    selfId: string | undefined,
  ): string | undefined {
    for (const field of uniqueFields(model)) {
      const value = values[field];
      if (value === null || value === undefined) continue;
      if (rows.some((r) => r.id !== selfId && r[field] === value)) return field;
    }
    return undefined;
  }

  const matches = (row: Row, where: Record<string, unknown>) =>
    Object.entries(where).every(([key, value]) => row[key] === value);

  /** A copy the caller may mutate without touching what was written. */
  const copy = <M extends ModelSchema>(row: Row) =>
    JSON.parse(JSON.stringify(row)) as StoredRecord<M>;

  return Object.freeze({
    async create<M extends ModelSchema>(model: M, data: RecordInput<M>) {
      const values = checkCreate(model, data as Record<string, unknown>);
      const id = (data as { id?: string }).id ?? randomUUID();
      const { file, lock } = paths(model);
      return run(() =>
        locked(lock, async () => {
          const rows = await load(file);
          if (rows.some((r) => r.id === id)) {
            throw new GatehouseError("store_duplicate", `${model.name}: id already exists`);
          }
          const field = takenUnique(model, rows, values, undefined);
          if (field !== undefined) {
            throw new GatehouseError(
              "store_duplicate",
              `${model.name}: another record has this ${field}`,
            );
          }
          const now = clock.now();
          const row: Row = { ...values, id, version: 1, createdAt: now, updatedAt: now };
          rows.push(row);
          await save(file, rows);
          return copy<M>(row);
        }),
      );
    },

    async createMany<M extends ModelSchema>(
      model: M,
      input: readonly RecordInputWithId<M>[],
    ): Promise<CreateManyResult> {
      const checked = checkCreateMany(model, input);
      const { file, lock } = paths(model);
      return run(() =>
        locked(lock, async () => {
          const rows = await load(file);
          const ids = new Set(rows.map((r) => r.id));
          const taken = new Map(
            uniqueFields(model).map((f) => [f, new Set(rows.map((r) => r[f]))] as const),
          );
          const now = clock.now();
          let inserted = 0;
          for (const { id, values } of checked) {
            // Skipped, not refused: the id or a unique value is already there.
            if (ids.has(id)) continue;
            const clash = [...taken].some(
              ([f, seen]) => values[f] !== null && values[f] !== undefined && seen.has(values[f]),
            );
            if (clash) continue;
            rows.push({ ...values, id, version: 1, createdAt: now, updatedAt: now });
            ids.add(id);
            for (const [f, seen] of taken) seen.add(values[f]);
            inserted++;
          }
          // One rename: the whole batch, or (if it fails) none of it.
          if (inserted > 0) await save(file, rows);
          return { inserted };
        }),
      );
    },

    async findOne<M extends ModelSchema>(
      model: M,
      where: NonNullable<FindManyOptions<M>["where"]>,
    ) {
      const w = checkWhere(model, where as Record<string, unknown>);
      const { file } = paths(model);
      return run(async () => {
        const row = (await load(file)).find((r) => matches(r, w));
        return row === undefined ? undefined : copy<M>(row);
      });
    },

    async findMany<M extends ModelSchema>(
      model: M,
      opts: FindManyOptions<M> = {},
    ): Promise<Page<StoredRecord<M>>> {
      const w = checkWhere(model, opts.where as Record<string, unknown> | undefined);
      const ordering: Ordering = {
        field: opts.orderBy?.field ?? "createdAt",
        direction: opts.orderBy?.direction ?? "asc",
      };
      checkOrderField(model, ordering.field);
      const range = checkRange(model, opts.range);
      const limit = checkLimit(opts.limit);
      const after =
        opts.cursor === undefined ? undefined : decodeCursor(ordering, opts.cursor, model);
      const sign = ordering.direction === "asc" ? 1 : -1;
      const { file } = paths(model);
      return run(async () => {
        const position = (row: Row, value: unknown, id: string) =>
          sign * (compareValues(row[ordering.field], value) || compareValues(row.id, id));
        const rows = (await load(file))
          .filter(
            (row) =>
              matches(row, w) &&
              (range === undefined || inRange(range, row[range.field])) &&
              (after === undefined || position(row, after.value, after.id) > 0),
          )
          .sort((a, b) => position(a, b[ordering.field], b.id));
        const items = rows.slice(0, limit);
        const last = items.at(-1);
        return {
          items: items.map((r) => copy<M>(r)),
          nextCursor:
            rows.length > limit && last !== undefined
              ? encodeCursor(ordering, last[ordering.field], last.id)
              : null,
        };
      });
    },

    async update<M extends ModelSchema>(
      model: M,
      id: string,
      patch: RecordPatch<M>,
      opts: UpdateOptions = {},
    ) {
      const values = checkPatch(model, patch as Record<string, unknown>);
      const { file, lock } = paths(model);
      return run(() =>
        locked(lock, async () => {
          const rows = await load(file);
          const index = rows.findIndex((r) => r.id === id);
          const row = rows[index];
          if (row === undefined) {
            throw new GatehouseError("store_not_found", `${model.name}: no record with this id`);
          }
          if (opts.expectedVersion !== undefined && opts.expectedVersion !== row.version) {
            throw new GatehouseError(
              "store_conflict",
              `${model.name}: the record changed since version ${opts.expectedVersion}`,
            );
          }
          const field = takenUnique(model, rows, values, id);
          if (field !== undefined) {
            throw new GatehouseError(
              "store_duplicate",
              `${model.name}: another record has this ${field}`,
            );
          }
          const next: Row = {
            ...row,
            ...values,
            version: row.version + 1,
            updatedAt: Math.max(clock.now(), row.updatedAt),
          };
          rows[index] = next;
          await save(file, rows);
          return copy<M>(next);
        }),
      );
    },

    async delete<M extends ModelSchema>(model: M, id: string) {
      const { file, lock } = paths(model);
      return run(() =>
        locked(lock, async () => {
          const rows = await load(file);
          const rest = rows.filter((r) => r.id !== id);
          if (rest.length === rows.length) return false;
          await save(file, rest);
          return true;
        }),
      );
    },
  });
}
