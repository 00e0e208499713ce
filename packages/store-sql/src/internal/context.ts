import type { Clock } from "@gatehouse/core";
import type { Kysely } from "kysely";
import type { BulkWriter } from "./bulk-writer.js";
import type { KvStatement } from "./kv-statements.js";
import type { Dialect, TableInfo } from "./schema.js";
import type { StatementNames } from "./statement-names.js";

/** Kysely is used for dialects, connections and parameter binding only: every query is `sql`. */
export type AnyDb = Kysely<Record<string, never>>;

/** What the key-value and record implementations share. */
export interface StoreContext {
  readonly dialect: Dialect;
  readonly db: AnyDb;
  /** PostgreSQL: the repeated long statements run as prepared statements (createMany's INSERTs). */
  readonly statementNames: StatementNames;
  /** SQLite with `bulkWrites: "worker"`: the thread createMany's INSERTs run on. */
  readonly bulkWriter: BulkWriter | undefined;
  readonly prefix: string;
  readonly clock: Clock;
  /** Runs one operation: refuses after close, bounds it by `timeoutMs`, maps driver errors. */
  run<T>(what: string, fn: () => Promise<T>, info?: TableInfo): Promise<T>;
  /**
   * Runs one key-value statement, resolving its rows: on PostgreSQL a named
   * prepared statement straight on the pool, on SQLite through Kysely's connection.
   */
  query<R>(statement: KvStatement, values: unknown[]): Promise<R[]>;
  /** Counts a key-value write; every `sweepEvery` writes deletes a batch of expired keys. */
  afterWrite(): void;
}

/** Converts a driver value of an integer or float column (number, numeric string, bigint) to a number. */
export function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint" || typeof value === "string") return Number(value);
  throw new TypeError(`expected a number, got ${typeof value}`);
}

/** A value the database cannot hold as text: a lone UTF-16 surrogate (both), a NUL (PostgreSQL). */
export function unstorableString(dialect: Dialect, value: string): boolean {
  // ES2024 `isWellFormed` (Node 20+; not yet in the TS lib): native, unlike a \p{Cs} regex.
  const wellFormed = (value as string & { isWellFormed(): boolean }).isWellFormed();
  return !wellFormed || (dialect === "postgres" && value.includes("\u0000"));
}
