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
 * ```
 */
export function createSqliteStore(
  fileOrDatabase: string | SqliteDatabase,
  options: SqlStoreOptions = {},
): SqlStore {
  const parsed = parseOptions(options);
  if (typeof fileOrDatabase !== "string") {
    if (typeof fileOrDatabase?.prepare !== "function") {
      throw new GatehouseError(
        "config_invalid",
        "createSqliteStore(): pass a file name or a better-sqlite3 Database",
      );
    }
    return openStore({ dialect: "sqlite", database: fileOrDatabase, owned: false }, parsed);
  }
  const file = fileOrDatabase.replace(/^sqlite:/, "");
  const database = async (): Promise<SqliteDatabase> => {
    const mod = (await import("better-sqlite3")) as unknown as {
      default?: new (file: string, options: Record<string, unknown>) => SqliteDatabase;
    };
    const Database = (mod.default ?? mod) as new (
      file: string,
      options: Record<string, unknown>,
    ) => SqliteDatabase & { pragma(source: string, options?: { simple: boolean }): unknown };
    const db = new Database(file, { timeout: parsed.timeoutMs });
    if (
      file !== ":memory:" &&
      file !== "" &&
      db.pragma("journal_mode", { simple: true }) !== "wal"
    ) {
      db.pragma("journal_mode = WAL");
    }
    return db;
  };
  return openStore({ dialect: "sqlite", database, owned: true }, parsed);
}
