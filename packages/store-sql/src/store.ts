import { type Clock, systemClock } from "@gatehouse/core";
import { GatehouseError, StoreUnavailableError } from "@gatehouse/core/errors";
import type { KeyValueStore, ModelSchema, RecordStore } from "@gatehouse/core/store";
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
  SqliteDialect,
  sql,
} from "kysely";
import { createBulkWriter } from "./internal/bulk-writer.js";
import type { AnyDb, StoreContext } from "./internal/context.js";
import { isConnectionError, mapError } from "./internal/errors.js";
import { createKv, sweepKv } from "./internal/key-value.js";
import type { KvStatement } from "./internal/kv-statements.js";
import { createRecords } from "./internal/record.js";
import {
  type AppliedMigration,
  checkPrefix,
  type Dialect,
  migrationLockKey,
  migrationsTableSql,
  planMigrations,
  q,
  tablesOf,
} from "./internal/schema.js";
import { cachingStatements } from "./internal/statement-cache.js";
import {
  createStatementNames,
  namingClient,
  type StatementNames,
} from "./internal/statement-names.js";

export type { PostgresPool, SqliteDatabase };

/** Options of {@link createSqlStore}, {@link createPostgresStore} and {@link createSqliteStore}. */
export interface SqlStoreOptions {
  /**
   * Every model the record store serves (from each package's `defineModel()`);
   * `migrate()` creates one table per model. Records of a model not listed
   * here are refused with `store_invalid`.
   * @default []
   */
  models?: readonly ModelSchema[];
  /**
   * Prefix of every table and index name: empty or `[a-z_][a-z0-9_]*`, at most
   * 32 characters. Two stores with different prefixes share a database without
   * seeing each other.
   * @default "gh_"
   */
  tablePrefix?: string;
  /** The source of time for expiry, `createdAt` and `updatedAt`. @default the system clock */
  clock?: Clock;
  /**
   * Longest an operation may take, in milliseconds; beyond it the operation
   * rejects with `store_unavailable` (the statement may still complete on the
   * server). Also the connect and statement timeout of pools this package creates.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * Every this many key-value writes, one batch of up to 100 expired keys is
   * deleted in the background. `0` disables it (call `sweepExpired()` yourself).
   * Expired keys are invisible to every read either way.
   * @default 100
   */
  sweepEvery?: number;
}

/** The database a {@link createSqlStore} works on: a `pg` Pool or a `better-sqlite3` Database. */
export type SqlConnection =
  | {
      readonly dialect: "postgres";
      /** A `pg` `Pool`. The store never ends it; give it an `error` listener (idle clients emit errors when the server goes away). */
      readonly pool: PostgresPool;
    }
  | {
      readonly dialect: "sqlite";
      /** A `better-sqlite3` `Database`. The store never closes it. */
      readonly database: SqliteDatabase;
    };

/** A key-value store and a record store on one SQL database, with their migrations. */
export interface SqlStore {
  /** `"postgres"` or `"sqlite"`. */
  readonly dialect: Dialect;
  /** The {@link KeyValueStore} on table `<prefix>kv`. */
  readonly kv: KeyValueStore;
  /** The {@link RecordStore} on one table `<prefix><model name>` per model. */
  readonly records: RecordStore;
  /**
   * Creates or updates the tables: idempotent, in one transaction, safe to run
   * from several processes at once (PostgreSQL takes an advisory lock; SQLite
   * `BEGIN IMMEDIATE`). Rejects with `config_invalid` for a model change it
   * cannot apply by itself (a new required field, a type change, ...).
   */
  migrate(): Promise<void>;
  /**
   * The SQL `migrate()` runs on an empty database, one statement per item (no
   * trailing `;`), for teams that apply migrations themselves. It records the
   * migrations, so a later `migrate()` finds nothing to do.
   */
  migrationSql(): string[];
  /** The SQL `migrate()` would run now against this database (empty when up to date). */
  pendingMigrationSql(): Promise<string[]>;
  /** Deletes every expired key; resolves how many. */
  sweepExpired(): Promise<number>;
  /**
   * Stops the store: later operations reject with `store_unavailable`. Ends the
   * pool or closes the database only if this package opened it
   * ({@link createPostgresStore} / {@link createSqliteStore} given a URL or file).
   */
  close(): Promise<void>;
}

/** @internal How the convenience factories hand over lazily opened connections they own. */
export type InternalConnection =
  | { dialect: "postgres"; pool: PostgresPool | (() => Promise<PostgresPool>); owned: boolean }
  | {
      dialect: "sqlite";
      database: SqliteDatabase | (() => Promise<SqliteDatabase>);
      owned: boolean;
      /** `bulkWrites: "worker"`: the file the writer thread opens. */
      writerFile?: string;
    };

const noop = () => {};

function configError(message: string): never {
  throw new GatehouseError("config_invalid", `createSqlStore(): ${message}`);
}

/** @internal Parses the options shared by every factory into a frozen object. */
export function parseOptions(options: SqlStoreOptions = {}) {
  if (typeof options !== "object" || options === null) configError("options must be an object");
  const timeoutMs = options.timeoutMs ?? 2000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2_147_483_647) {
    configError('option "timeoutMs" must be a positive whole number of milliseconds');
  }
  const sweepEvery = options.sweepEvery ?? 100;
  if (!Number.isInteger(sweepEvery) || sweepEvery < 0) {
    configError('option "sweepEvery" must be a whole number >= 0');
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== "function") configError('option "clock" must have a now() method');
  const models = options.models ?? [];
  if (!Array.isArray(models)) configError('option "models" must be an array of models');
  return Object.freeze({
    models: Object.freeze([...models]) as readonly ModelSchema[],
    tablePrefix: checkPrefix(options.tablePrefix ?? "gh_"),
    clock,
    timeoutMs,
    sweepEvery,
  });
}

/** A pg Pool's own `query`, which the key-value statements use when the pool has it. */
type PgPool = PostgresPool & {
  query?: (config: { name: string; text: string; values: unknown[] }) => Promise<{
    rows: unknown[];
  }>;
};

/**
 * Wraps a pg pool so every client it hands out has an `error` listener: a
 * client checked out when the server shuts down emits `error`, and without a
 * listener that would crash the process. The error still fails the query.
 * Clients run the texts `names` names as prepared statements.
 * `end` does nothing: the store ends a pool it owns itself.
 */
function guardedPool(
  get: () => Promise<PostgresPool>,
  names: StatementNames,
): () => Promise<PostgresPool> {
  const wrapped = new WeakMap<object, PostgresPoolClient>();
  return async () => {
    const pool = await get();
    return {
      async connect(): Promise<PostgresPoolClient> {
        const client = await pool.connect();
        let wrapper = wrapped.get(client);
        if (wrapper === undefined) {
          const emitter = client as unknown as { on?: (event: string, fn: () => void) => void };
          if (typeof emitter.on === "function") emitter.on("error", noop);
          wrapper = namingClient(client, names);
          wrapped.set(client, wrapper);
        }
        return wrapper;
      },
      end: async () => {},
    };
  };
}

/**
 * `BEGIN IMMEDIATE`, retried asynchronously while another connection holds the
 * write lock. better-sqlite3 is synchronous: its busy handler would block this
 * thread, and with it a second connection of the same process that holds the
 * lock, so the busy timeout is off while we wait here.
 */
async function beginImmediate(conn: AnyDb, timeoutMs: number): Promise<void> {
  const { rows } = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(conn);
  const busyTimeout = Number(rows[0]?.timeout ?? timeoutMs);
  await sql.raw("PRAGMA busy_timeout = 0").execute(conn);
  const deadline = Date.now() + Math.max(10_000, timeoutMs * 5);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await sql.raw("BEGIN IMMEDIATE").execute(conn);
        return;
      } catch (err) {
        const busy = /^SQLITE_BUSY/.test(String((err as { code?: unknown }).code));
        if (!busy || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, 2 * 2 ** attempt)));
      }
    }
  } finally {
    await sql.raw(`PRAGMA busy_timeout = ${Math.trunc(busyTimeout)}`).execute(conn);
  }
}

/** @internal The one implementation behind every factory. */
export function openStore(
  connection: InternalConnection,
  options: ReturnType<typeof parseOptions>,
): SqlStore {
  const { dialect } = connection;
  const { clock, timeoutMs, sweepEvery, tablePrefix: prefix } = options;
  const tables = tablesOf(prefix, options.models);
  const byName = new Map(tables.map((t) => [t.model.name, t]));

  // The pg pool, opened once (lazily, for a URL) and shared by Kysely and the
  // key-value statements.
  let pool: PgPool | undefined;
  let opening: Promise<PgPool> | undefined;
  const source = connection.dialect === "postgres" ? connection.pool : undefined;
  const getPool = (): Promise<PgPool> => {
    opening ??= (async () => (typeof source === "function" ? source() : (source as PgPool)))().then(
      (opened) => {
        pool = opened;
        return opened;
      },
      (err: unknown) => {
        opening = undefined;
        throw err;
      },
    );
    return opening;
  };

  const bulkWriter =
    connection.dialect === "sqlite" && connection.writerFile !== undefined
      ? createBulkWriter(connection.writerFile, timeoutMs)
      : undefined;
  /** SQLite: the database handed to Kysely; the writer thread starts with it. */
  const sqliteDatabase = (database: SqliteDatabase) => {
    bulkWriter?.start();
    return cachingStatements(database);
  };

  const statementNames = createStatementNames();
  const db: AnyDb =
    connection.dialect === "postgres"
      ? new Kysely({ dialect: new PostgresDialect({ pool: guardedPool(getPool, statementNames) }) })
      : new Kysely({
          dialect: new SqliteDialect({
            database:
              typeof connection.database === "function"
                ? (
                    (open) => async () =>
                      sqliteDatabase(await open())
                  )(connection.database)
                : sqliteDatabase(connection.database),
          }),
        });

  let closed = false;
  let writes = 0;
  let sweeping: Promise<unknown> | undefined;

  const unavailable = (what: string) => new StoreUnavailableError(`${what}: the store is closed`);

  const ctx: StoreContext = {
    dialect,
    db,
    statementNames,
    bulkWriter,
    prefix,
    clock,
    run(what, fn, info) {
      if (closed) return Promise.reject(unavailable(what));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new StoreUnavailableError(
              `${info === undefined ? what : `${info.model.name}: ${what}`}: the database did not answer within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        timer.unref?.();
        fn().then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (err: unknown) => {
            clearTimeout(timer);
            reject(mapError(dialect, err, what, info));
          },
        );
      });
    },
    async query<R>(statement: KvStatement, values: unknown[]): Promise<R[]> {
      if (dialect === "postgres") {
        const p = pool ?? (await getPool());
        // Named: pg prepares it once per connection, then only binds and executes.
        if (typeof p.query === "function") {
          const { name, text } = statement;
          return (await p.query({ name, text, values })).rows as R[];
        }
      }
      return (await db.executeQuery(CompiledQuery.raw(statement.text, values))).rows as R[];
    },
    afterWrite() {
      if (sweepEvery === 0 || closed || ++writes % sweepEvery !== 0 || sweeping) return;
      sweeping = sweepKv(ctx, 100)
        .catch(noop)
        .finally(() => {
          sweeping = undefined;
        });
    },
  };

  const migrationsTable = sql.raw(q(`${prefix}migrations`));
  const readApplied = async (executor: AnyDb): Promise<AppliedMigration[]> => {
    const { rows } = await sql<{
      id: string;
      position: number | string;
      schema: string;
    }>`SELECT "id", "position", "schema" FROM ${migrationsTable}`.execute(executor);
    return rows.map((r) => ({ id: r.id, position: Number(r.position), schema: r.schema }));
  };

  return Object.freeze({
    dialect,
    kv: createKv(ctx),
    records: createRecords(ctx, byName),

    async migrate() {
      if (closed) throw unavailable("migrate");
      try {
        await db.connection().execute(async (conn) => {
          if (dialect === "sqlite") await beginImmediate(conn as AnyDb, timeoutMs);
          else await sql.raw("BEGIN").execute(conn);
          try {
            if (dialect === "postgres") {
              // Migrations may outlast timeoutMs (index builds); the lock serialises
              // concurrent migrate() calls, in this process or another.
              await sql.raw("SET LOCAL statement_timeout = 0").execute(conn);
              await sql`SELECT pg_advisory_xact_lock(${sql.lit(migrationLockKey(prefix))})`.execute(
                conn,
              );
            }
            await sql.raw(migrationsTableSql(prefix)).execute(conn);
            const plan = planMigrations(
              dialect,
              prefix,
              tables,
              await readApplied(conn as AnyDb),
              clock.now(),
            );
            for (const statement of plan) {
              await sql
                .raw(statement)
                .execute(conn)
                .catch((err: unknown) => {
                  if (isConnectionError(err)) throw err;
                  throw new GatehouseError(
                    "config_invalid",
                    `migrate(): the database refused a migration statement: ${err instanceof Error ? err.message : String(err)}`,
                    { cause: err },
                  );
                });
            }
            await sql.raw("COMMIT").execute(conn);
          } catch (err) {
            await sql.raw("ROLLBACK").execute(conn).catch(noop);
            throw err;
          }
        });
      } catch (err) {
        throw mapError(dialect, err, "migrate");
      }
    },

    migrationSql() {
      return [
        migrationsTableSql(prefix),
        ...planMigrations(dialect, prefix, tables, [], clock.now()),
      ];
    },

    pendingMigrationSql() {
      return ctx.run("pendingMigrationSql", async () => {
        let applied: AppliedMigration[] = [];
        try {
          applied = await readApplied(db);
        } catch (err) {
          const missing =
            (err as { code?: unknown }).code === "42P01" ||
            /no such table/.test(err instanceof Error ? err.message : "");
          if (!missing) throw err;
        }
        const plan = planMigrations(dialect, prefix, tables, applied, clock.now());
        return plan.length === 0 ? [] : [migrationsTableSql(prefix), ...plan];
      });
    },

    sweepExpired() {
      return ctx.run("sweepExpired", () => sweepKv(ctx));
    },

    async close() {
      if (closed) return;
      closed = true;
      // Let a background sweep finish, but never wait on it past timeoutMs (a pool ended
      // under it can leave its query unsettled).
      if (sweeping !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([sweeping, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
      }
      // Writes already sent to the writer thread finish before its connection closes.
      await bulkWriter?.close();
      if (!connection.owned) return;
      await db.destroy().catch(noop);
      if (opening !== undefined) await (await opening.catch(() => undefined))?.end().catch(noop);
    },
  });
}

/**
 * A {@link SqlStore} on a `pg` Pool or a `better-sqlite3` Database you opened
 * (and close yourself). Run `migrate()` once before use (or apply
 * `migrationSql()` yourself).
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createSqlStore } from "@gatehouse/store-sql";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on("error", (err) => console.error("idle pg client", err));
 * const store = createSqlStore({ dialect: "postgres", pool }, { models: [sessionModel] });
 * await store.migrate();
 * await store.kv.set("otp:alice", { hash }, { ttlMs: 600_000 });
 * ```
 */
export function createSqlStore(connection: SqlConnection, options: SqlStoreOptions = {}): SqlStore {
  const parsed = parseOptions(options);
  if (connection?.dialect === "postgres") {
    if (typeof connection.pool?.connect !== "function") {
      configError('"pool" must be a pg Pool');
    }
    return openStore({ dialect: "postgres", pool: connection.pool, owned: false }, parsed);
  }
  if (connection?.dialect === "sqlite") {
    if (typeof connection.database?.prepare !== "function") {
      configError('"database" must be a better-sqlite3 Database');
    }
    return openStore({ dialect: "sqlite", database: connection.database, owned: false }, parsed);
  }
  return configError(
    'the connection must be { dialect: "postgres", pool } or { dialect: "sqlite", database }',
  );
}
