/**
 * The ceiling of the audit bench: the same rows the audit log writes, inserted by plain
 * multi-row INSERTs of the same batch size through the same driver, into a table migrated by
 * `@gatehouse/store-sql` (same columns, same indexes) — better-sqlite3 runs one prepared
 * statement per batch in a transaction, pg one named (prepared) statement per batch.
 */
import type Database from "better-sqlite3";
import type pg from "pg";
import { COLUMNS } from "./fixtures.js";

/** Inserts one batch of rows (each row in {@link COLUMNS} order). */
export type InsertBatch = (rows: readonly unknown[][]) => Promise<void>;

const columnList = COLUMNS.map((c) => `"${c}"`).join(", ");

/** Throws unless `actual` (the table's columns, in order) is {@link COLUMNS}. */
export function checkColumns(table: string, actual: readonly string[]): void {
  if (actual.join(",") !== COLUMNS.join(",")) {
    throw new Error(
      `${table} has columns ${actual.join(", ")}; the ceiling writes ${COLUMNS.join(", ")}`,
    );
  }
}

/** Multi-row INSERT batches on better-sqlite3: a prepared statement per batch size, in a transaction. */
export function sqliteInserter(db: Database.Database, table: string): InsertBatch {
  const info = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[];
  checkColumns(
    table,
    info.map((c) => c.name),
  );
  const row = `(${COLUMNS.map(() => "?").join(", ")})`;
  const statements = new Map<number, Database.Statement>();
  const statement = (n: number) => {
    let s = statements.get(n);
    if (s === undefined) {
      s = db.prepare(
        `INSERT INTO "${table}" (${columnList}) VALUES ${Array.from({ length: n }, () => row).join(", ")}`,
      );
      statements.set(n, s);
    }
    return s;
  };
  const insert = db.transaction((rows: readonly unknown[][]) => {
    statement(rows.length).run(rows.flat());
  });
  return async (rows) => {
    insert(rows);
  };
}

/** Multi-row INSERT batches on pg: one named statement per batch size (parsed once per connection). */
export async function postgresInserter(client: pg.Client, table: string): Promise<InsertBatch> {
  const { rows: info } = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
    [table],
  );
  checkColumns(
    table,
    info.map((c) => c.column_name),
  );
  const text = (n: number) => {
    const values: string[] = [];
    for (let r = 0; r < n; r++) {
      const base = r * COLUMNS.length;
      values.push(`(${COLUMNS.map((_, c) => `$${base + c + 1}`).join(", ")})`);
    }
    return `INSERT INTO "${table}" (${columnList}) VALUES ${values.join(", ")}`;
  };
  return async (rows) => {
    await client.query({
      name: `audit_ceiling_${table}_${rows.length}`,
      text: text(rows.length),
      values: rows.flat(),
    });
  };
}

/** Inserts `rows` in batches of `batchSize`; resolves rows per second. */
export async function runCeiling(
  insert: InsertBatch,
  rows: readonly unknown[][],
  batchSize: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < rows.length; i += batchSize) {
    await insert(rows.slice(i, i + batchSize));
  }
  return rows.length / ((performance.now() - started) / 1000);
}
