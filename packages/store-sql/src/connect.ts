import { GatehouseError } from "@gatehouse/core/errors";
import type { PostgresPool, SqliteDatabase } from "kysely";
import { openStore, parseOptions, type SqlStore, type SqlStoreOptions } from "./store.js";

const noop = () => {};

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions extends SqlStoreOptions {
  /**
   * Extra `pg` `PoolConfig` for the pool opened from a URL (`ssl`, `max`,
   * `application_name`, ...). Ignored when you pass a pool.
   * @default { connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, keepAlive: true, allowExitOnIdle: true }
   */
  poolConfig?: Readonly<Record<string, unknown>>;
}

interface PgModule {
  Pool: new (
    config: Record<string, unknown>,
  ) => PostgresPool & {
    on(event: "error", listener: (err: Error) => void): unknown;
  };
}

/**
 * A {@link SqlStore} on PostgreSQL. Given a URL it opens (lazily, on the first
 * operation) a `pg` Pool with connect and statement timeouts of `timeoutMs`,
 * and `close()` ends it; given a Pool it uses yours and leaves it open.
 *
 * @example
 * ```ts
 * import { createPostgresStore } from "@gatehouse/store-sql";
 *
 * const store = createPostgresStore(process.env.DATABASE_URL!, { models: [sessionModel] });
 * await store.migrate();
 * const session = await store.records.create(sessionModel, { userId: "u1", tokenHash, expiresAt });
 * ```
 */
export function createPostgresStore(
  urlOrPool: string | PostgresPool,
  options: PostgresStoreOptions = {},
): SqlStore {
  const parsed = parseOptions(options);
  if (typeof urlOrPool !== "string") {
    if (typeof urlOrPool?.connect !== "function") {
      throw new GatehouseError(
        "config_invalid",
        "createPostgresStore(): pass a postgres:// URL or a pg Pool",
      );
    }
    return openStore({ dialect: "postgres", pool: urlOrPool, owned: false }, parsed);
  }
  if (!/^postgres(ql)?:\/\//.test(urlOrPool)) {
    throw new GatehouseError(
      "config_invalid",
      "createPostgresStore(): the URL must start with postgres:// or postgresql://",
    );
  }
  const poolConfig = { ...(options.poolConfig ?? {}) };
  const pool = async (): Promise<PostgresPool> => {
    const mod = (await import("pg")) as unknown as PgModule & { default?: PgModule };
    const { Pool } = mod.default ?? mod;
    const created = new Pool({
      connectionTimeoutMillis: parsed.timeoutMs,
      statement_timeout: parsed.timeoutMs,
      keepAlive: true,
      allowExitOnIdle: true,
      ...poolConfig,
      connectionString: urlOrPool,
    });
    // An idle client whose server went away emits `error` on the pool; the
    // next operation gets a fresh connection (or store_unavailable).
    created.on("error", noop);
    return created;
  };
  return openStore({ dialect: "postgres", pool, owned: true }, parsed);
}

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions extends SqlStoreOptions {
  /**
   * Where `records.createMany` runs its INSERTs. `"inline"`: on the store's
   * connection, on the calling thread (better-sqlite3 is synchronous, so a
   * 500-row batch holds the event loop for a few milliseconds). `"worker"`: on
   * a worker thread with its own connection to the same file, started when
   * the store opens its connection and ended by `close()`; the rows are still checked on
   * the calling thread, and the call resolves once they are committed, so
   * reads see them. Use it for audit logs and other bulk writers; it needs a
   * database file (not `":memory:"`). Every other operation stays inline.
   * @default "inline"
   */
  bulkWrites?: "inline" | "worker";
}

/**
 * A {@link SqlStore} on SQLite through `better-sqlite3`. Given a file name it
 * opens the database (lazily, in WAL mode, with a busy timeout of `timeoutMs`)
 * and `close()` closes it; `":memory:"` gives a private in-memory database.
 * Given a Database it uses yours and leaves it open.
 *
 * @example
 * ```ts
 * import { createSqliteStore } from "@gatehouse/store-sql";
 *
 * const store = createSqliteStore("./gatehouse.db", { models: [sessionModel] });
 * await store.migrate();
 * await store.kv.increment("attempts:alice", { ttlMs: 60_000 });
 *
 * // An audit trail: its batches are written on a worker thread.
 * const audit = createSqliteStore("./audit.db", { models: [...auditModels], bulkWrites: "worker" });
 * ```
 */
export function createSqliteStore(
  fileOrDatabase: string | SqliteDatabase,
  options: SqliteStoreOptions = {},
): SqlStore {
  const parsed = parseOptions(options);
  const bulkWrites = options.bulkWrites ?? "inline";
  if (bulkWrites !== "inline" && bulkWrites !== "worker") {
    throw new GatehouseError(
      "config_invalid",
      'createSqliteStore(): option "bulkWrites" must be "inline" or "worker"',
    );
  }
  if (typeof fileOrDatabase !== "string") {
    if (typeof fileOrDatabase?.prepare !== "function") {
      throw new GatehouseError(
        "config_invalid",
        "createSqliteStore(): pass a file name or a better-sqlite3 Database",
      );
    }
    if (bulkWrites === "worker") {
      throw new GatehouseError(
        "config_invalid",
        'createSqliteStore(): bulkWrites: "worker" needs a file name (the thread opens its own connection)',
      );
    }
    return openStore({ dialect: "sqlite", database: fileOrDatabase, owned: false }, parsed);
  }
  const file = fileOrDatabase.replace(/^sqlite:/, "");
  const inMemory = file === ":memory:" || file === "";
  if (bulkWrites === "worker" && inMemory) {
    throw new GatehouseError(
      "config_invalid",
      'createSqliteStore(): bulkWrites: "worker" needs a database file; an in-memory database is private to one connection',
    );
  }
  const database = async (): Promise<SqliteDatabase> => {
    const mod = (await import("better-sqlite3")) as unknown as {
      default?: new (file: string, options: Record<string, unknown>) => SqliteDatabase;
    };
    const Database = (mod.default ?? mod) as new (
      file: string,
      options: Record<string, unknown>,
    ) => SqliteDatabase & { pragma(source: string, options?: { simple: boolean }): unknown };
    const db = new Database(file, { timeout: parsed.timeoutMs });
    if (!inMemory && db.pragma("journal_mode", { simple: true }) !== "wal") {
      db.pragma("journal_mode = WAL");
    }
    return db;
  };
  const writerFile = bulkWrites === "worker" ? file : undefined;
  return openStore({ dialect: "sqlite", database, owned: true, writerFile }, parsed);
}
