// Kysely's SQLite driver prepares every query it runs. Preparing costs more than running
// for short statements and for the long multi-row INSERTs of createMany, and the same few
// texts repeat (queries are built from fixed fragments), so the database handed to Kysely
// keeps a bounded cache of prepared statements. better-sqlite3 statements are reusable,
// and Kysely runs one statement at a time on its single connection.
import type { SqliteDatabase, SqliteStatement } from "kysely";

const MAX_STATEMENTS = 256;

/** `database` with `prepare` answered from a bounded cache (oldest evicted first). */
export function cachingStatements(database: SqliteDatabase): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(text: string): SqliteStatement {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value as string);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}
