/**
 * Gatehouse's `KeyValueStore` and `RecordStore` on SQL: PostgreSQL through
 * `pg` and SQLite through `better-sqlite3`, one implementation over both
 * (Kysely dialects), with migrations built from the registered models.
 *
 * @packageDocumentation
 */
export {
  createPostgresStore,
  createSqliteStore,
  type PostgresStoreOptions,
  type SqliteStoreOptions,
} from "./connect.js";
export {
  createSqlStore,
  type PostgresPool,
  type SqlConnection,
  type SqliteDatabase,
  type SqlStore,
  type SqlStoreOptions,
} from "./store.js";
