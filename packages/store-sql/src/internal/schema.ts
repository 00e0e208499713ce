// Models → tables, columns, DDL and the migration planner. Internal: shared by
// the store and the CLI, not exported from the package.
import { createHash } from "node:crypto";
import { GatehouseError } from "@gatehouse/core/errors";
import type { FieldSpec, FieldType, ModelSchema } from "@gatehouse/core/store";

/** The SQL dialects the store speaks. */
export type Dialect = "postgres" | "sqlite";

/** One model field as a column. */
export interface ColumnInfo {
  readonly field: string;
  readonly column: string;
  readonly type: FieldType;
  readonly required: boolean;
}

/** A model as a table. */
export interface TableInfo {
  readonly model: ModelSchema;
  readonly table: string;
  readonly columns: readonly ColumnInfo[];
  readonly byField: ReadonlyMap<string, ColumnInfo>;
  /** Canonical JSON of the fields: compared to detect schema changes. */
  readonly schemaJson: string;
  /** `model:<name>@<hash>` */
  readonly migrationId: string;
  /** index or constraint name → field (for `store_duplicate` messages). */
  readonly uniqueNames: ReadonlyMap<string, string>;
}

/** Column names of the meta fields every record has. */
export const META_COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  id: "id",
  version: "version",
  createdAt: "created_at",
  updatedAt: "updated_at",
});

export const KV_MIGRATION_ID = "kv@1";
const MAX_IDENTIFIER = 63;
const PREFIX = /^(?:[a-z_][a-z0-9_]{0,31})?$/;

/** Quotes an identifier (names are validated to `[a-z0-9_]`, so quoting never needs escaping). */
export const q = (name: string): string => `"${name}"`;

/** Quotes a string literal. */
export const lit = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** `userId` → `user_id` (field names are camelCase without underscores, so this is one-to-one). */
export const snake = (field: string): string =>
  field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const shortHash = (text: string, length = 12): string =>
  createHash("sha256").update(text).digest("hex").slice(0, length);

function config(message: string): never {
  throw new GatehouseError("config_invalid", `createSqlStore(): ${message}`);
}

/** Checks the table prefix: empty or `[a-z_][a-z0-9_]*`, at most 32 characters. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    config('option "tablePrefix" must be empty or match /^[a-z_][a-z0-9_]{0,31}$/');
  }
  return prefix;
}

/** A name at most 63 characters long (PostgreSQL truncates longer ones silently). */
function identifier(base: string, suffix: string): string {
  const name = `${base}_${suffix}`;
  return name.length <= MAX_IDENTIFIER
    ? name
    : `${base.slice(0, MAX_IDENTIFIER - suffix.length - 10)}_${shortHash(base, 8)}_${suffix}`;
}

export const uniqueIndexName = (table: string, column: string): string =>
  identifier(`${table}_${column}`, "key");
export const indexName = (table: string, column: string): string =>
  identifier(`${table}_${column}`, "idx");

interface CanonicalField {
  type: FieldType;
  required: boolean;
  unique: boolean;
  indexed: boolean;
}

function canonical(spec: FieldSpec): CanonicalField {
  return {
    type: spec.type,
    required: spec.required === true,
    unique: spec.unique === true,
    indexed: spec.indexed === true,
  };
}

/** The canonical JSON of a model's fields: sorted, defaults spelled out. */
export function schemaJsonOf(model: ModelSchema): string {
  const fields: Record<string, CanonicalField> = {};
  for (const name of Object.keys(model.fields).sort()) {
    fields[name] = canonical(model.fields[name] as FieldSpec);
  }
  return JSON.stringify(fields);
}

/** Resolves the tables of `models`, refusing names that would clash. */
export function tablesOf(prefix: string, models: readonly ModelSchema[]): TableInfo[] {
  const seen = new Set<string>();
  return models.map((model) => {
    if (typeof model !== "object" || model === null || typeof model.name !== "string") {
      config('option "models" must be an array of defineModel() results');
    }
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(model.name)) {
      config(`model name "${model.name}" is not a defineModel() name`);
    }
    if (seen.has(model.name)) config(`two models are named "${model.name}"`);
    if (model.name === "kv" || model.name === "migrations") {
      config(`model name "${model.name}" is reserved for the store's own tables`);
    }
    seen.add(model.name);
    const table = `${prefix}${model.name}`;
    if (table.length > MAX_IDENTIFIER) {
      config(`table name "${table}" is longer than ${MAX_IDENTIFIER} characters`);
    }
    const columns: ColumnInfo[] = Object.entries(model.fields).map(([field, spec]) => ({
      field,
      column: snake(field),
      type: spec.type,
      required: spec.required === true,
    }));
    const uniqueNames = new Map<string, string>([
      [`${table}_pkey`, "id"],
      [table, "id"],
    ]);
    for (const [field, spec] of Object.entries(model.fields)) {
      if (spec.unique) uniqueNames.set(uniqueIndexName(table, snake(field)), field);
    }
    const schemaJson = schemaJsonOf(model);
    return {
      model,
      table,
      columns,
      byField: new Map(columns.map((c) => [c.field, c])),
      schemaJson,
      migrationId: `model:${model.name}@${shortHash(schemaJson)}`,
      uniqueNames,
    };
  });
}

/** The column type of a field type in a dialect. */
export function columnType(dialect: Dialect, type: FieldType): string {
  switch (type) {
    case "string":
      return dialect === "postgres" ? 'text COLLATE "C"' : "text";
    case "integer":
    case "timestamp":
      return "bigint";
    case "number":
      return dialect === "postgres" ? "double precision" : "real";
    case "boolean":
      return dialect === "postgres" ? "boolean" : "integer";
    case "json":
      return dialect === "postgres" ? "jsonb" : "text";
  }
}

const textKey = (dialect: Dialect) => (dialect === "postgres" ? 'text COLLATE "C"' : "text");

/** `CREATE TABLE IF NOT EXISTS` of the migrations table. */
export function migrationsTableSql(prefix: string): string {
  return `CREATE TABLE IF NOT EXISTS ${q(`${prefix}migrations`)} (
  "id" text NOT NULL PRIMARY KEY,
  "applied_at" bigint NOT NULL,
  "position" integer NOT NULL,
  "schema" text NOT NULL
)`;
}

function recordMigration(prefix: string, id: string, schema: string, now: number): string {
  const table = q(`${prefix}migrations`);
  return `INSERT INTO ${table} ("id", "applied_at", "position", "schema")
SELECT ${lit(id)}, ${Math.trunc(now)}, COALESCE(MAX("position"), 0) + 1, ${lit(schema)} FROM ${table} WHERE true
ON CONFLICT ("id") DO UPDATE SET "applied_at" = excluded."applied_at", "position" = excluded."position", "schema" = excluded."schema"`;
}

function kvSql(dialect: Dialect, prefix: string): string[] {
  const table = `${prefix}kv`;
  return [
    `CREATE TABLE IF NOT EXISTS ${q(table)} (
  "key" ${textKey(dialect)} NOT NULL PRIMARY KEY,
  "value" text NOT NULL,
  "expires_at" bigint
)`,
    `CREATE INDEX IF NOT EXISTS ${q(indexName(table, "expires_at"))} ON ${q(table)} ("expires_at") WHERE "expires_at" IS NOT NULL`,
  ];
}

type IndexKind = "unique" | "index" | undefined;
const indexKind = (f: CanonicalField | undefined): IndexKind =>
  f?.unique ? "unique" : f?.indexed ? "index" : undefined;

function createIndexSql(table: string, column: string, kind: IndexKind): string[] {
  if (kind === "unique") {
    return [
      `CREATE UNIQUE INDEX IF NOT EXISTS ${q(uniqueIndexName(table, column))} ON ${q(table)} (${q(column)})`,
    ];
  }
  if (kind === "index") {
    return [
      `CREATE INDEX IF NOT EXISTS ${q(indexName(table, column))} ON ${q(table)} (${q(column)})`,
    ];
  }
  return [];
}

function dropIndexSql(table: string, column: string, kind: IndexKind): string[] {
  if (kind === "unique") return [`DROP INDEX IF EXISTS ${q(uniqueIndexName(table, column))}`];
  if (kind === "index") return [`DROP INDEX IF EXISTS ${q(indexName(table, column))}`];
  return [];
}

function createTableSql(dialect: Dialect, info: TableInfo): string[] {
  const columns = [
    `  "id" ${textKey(dialect)} NOT NULL PRIMARY KEY`,
    `  "version" integer NOT NULL`,
    `  "created_at" bigint NOT NULL`,
    `  "updated_at" bigint NOT NULL`,
    ...info.columns.map(
      (c) => `  ${q(c.column)} ${columnType(dialect, c.type)}${c.required ? " NOT NULL" : ""}`,
    ),
  ];
  const statements = [`CREATE TABLE IF NOT EXISTS ${q(info.table)} (\n${columns.join(",\n")}\n)`];
  for (const c of info.columns) {
    statements.push(
      ...createIndexSql(info.table, c.column, indexKind(canonical(info.model.fields[c.field]!))),
    );
  }
  return statements;
}

function refuse(info: TableInfo, message: string): never {
  throw new GatehouseError(
    "config_invalid",
    `migrate(): model "${info.model.name}" ${message}; this change cannot be applied automatically. Migrate the table ${info.table} by hand (see the README, "Changing a model").`,
  );
}

/** The statements that bring a table from the `previous` schema to the model's. */
function alterTableSql(dialect: Dialect, info: TableInfo, previousJson: string): string[] {
  const previous = JSON.parse(previousJson) as Record<string, CanonicalField>;
  const current = JSON.parse(info.schemaJson) as Record<string, CanonicalField>;
  const statements: string[] = [];
  for (const [field, before] of Object.entries(previous)) {
    if (!(field in current) && before.required) {
      refuse(info, `drops the required field "${field}" (its column is NOT NULL)`);
    }
  }
  for (const [field, now] of Object.entries(current)) {
    const before = previous[field];
    const column = snake(field);
    if (before === undefined) {
      if (now.required) refuse(info, `adds the required field "${field}"`);
      statements.push(
        `ALTER TABLE ${q(info.table)} ADD COLUMN ${q(column)} ${columnType(dialect, now.type)}`,
      );
      statements.push(...createIndexSql(info.table, column, indexKind(now)));
      continue;
    }
    if (before.type !== now.type) {
      refuse(info, `changes the type of "${field}" from ${before.type} to ${now.type}`);
    }
    if (before.required !== now.required) {
      refuse(info, `makes "${field}" ${now.required ? "required" : "optional"}`);
    }
    const from = indexKind(before);
    const to = indexKind(now);
    if (from !== to) {
      statements.push(...dropIndexSql(info.table, column, from));
      statements.push(...createIndexSql(info.table, column, to));
    }
  }
  return statements;
}

/** A row of the migrations table. */
export interface AppliedMigration {
  id: string;
  position: number;
  schema: string;
}

/**
 * The statements that bring a database whose migrations table holds `applied`
 * up to `tables` (empty when it is up to date). Throws `config_invalid` for a
 * change that cannot be applied automatically.
 */
export function planMigrations(
  dialect: Dialect,
  prefix: string,
  tables: readonly TableInfo[],
  applied: readonly AppliedMigration[],
  now: number,
): string[] {
  const statements: string[] = [];
  const ids = new Set(applied.map((m) => m.id));
  if (!ids.has(KV_MIGRATION_ID)) {
    statements.push(...kvSql(dialect, prefix));
    statements.push(recordMigration(prefix, KV_MIGRATION_ID, "{}", now));
  }
  for (const info of tables) {
    const latest = applied
      .filter((m) => m.id.startsWith(`model:${info.model.name}@`))
      .sort((a, b) => b.position - a.position)[0];
    if (latest?.schema === info.schemaJson) continue;
    statements.push(
      ...(latest === undefined
        ? createTableSql(dialect, info)
        : alterTableSql(dialect, info, latest.schema)),
    );
    statements.push(recordMigration(prefix, info.migrationId, info.schemaJson, now));
  }
  return statements;
}

/** A 32-bit key for `pg_advisory_xact_lock`, one per table prefix. */
export function migrationLockKey(prefix: string): number {
  return createHash("sha256").update(`gatehouse:migrate:${prefix}`).digest().readInt32BE(0);
}
