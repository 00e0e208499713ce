/**
 * The ceiling of the audit bench: the same rows the audit log writes, inserted by plain
 * multi-row INSERTs of the same batch size through the same driver, into a table migrated by
 * `@gatehouse/store-sql` (same columns, same indexes) — better-sqlite3 runs one prepared
 * statement per batch, pg one named (prepared) statement per batch.
 */
import type Database from "better-sqlite3";
import type pg from "pg";
import { COLUMNS } from "./fixtures.js";

/** Inserts one batch: `count` rows, their values flat in {@link COLUMNS} order. */
export type InsertBatch = (count: number, values: readonly unknown[]) => Promise<void>;

const columnList = COLUMNS.map((c) => `"${c}"`).join(", ");

/** Throws unless `actual` (the table's columns, in order) is {@link COLUMNS}. */
export function checkColumns(table: string, actual: readonly string[]): void {
  if (actual.join(",") !== COLUMNS.join(",")) {
    throw new Error(
      `${table} has columns ${actual.join(", ")}; the ceiling writes ${COLUMNS.join(", ")}`,
    );
  }
}

/**
 * Multi-row INSERT batches on better-sqlite3: a prepared statement per batch size, run as is
 * (one statement commits on its own; a BEGIN/COMMIT around it measured 10-20% slower).
 */
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
  return async (count, values) => {
    statement(count).run(values);
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
  return async (count, values) => {
    await client.query({
      name: `audit_ceiling_${table}_${count}`,
      text: text(count),
      values: values as unknown[],
    });
  };
}

/**
 * Inserts `rows` in batches of `batchSize`; resolves rows per second. Each batch's values are
 * laid out flat before the clock starts: the ceiling times the driver and the database alone.
 */
export async function runCeiling(
  insert: InsertBatch,
  rows: readonly unknown[][],
  batchSize: number,
): Promise<number> {
  const batches: { count: number; values: unknown[] }[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize);
    batches.push({ count: batch.length, values: batch.flat() });
  }
  const started = performance.now();
  for (const { count, values } of batches) await insert(count, values);
  return rows.length / ((performance.now() - started) / 1000);
}
