// The key-value statements, built once per store: fixed SQL text per dialect, so
// PostgreSQL runs them as named prepared statements (parsed and planned once per
// connection) and neither dialect rebuilds or recompiles a query per call.
import { createHash } from "node:crypto";
import { type Dialect, q } from "./schema.js";

/** One statement: its SQL text, its parameters in binding order, and (PostgreSQL) its prepared-statement name. */
export interface KvStatement {
  /** `gh_kv_<op>_<hash of the text>`: the same text always gets the same name. */
  readonly name: string;
  readonly text: string;
  /** The argument names, in the order the driver binds them. */
  readonly params: readonly string[];
}

export type KvOp = "get" | "set" | "setIfAbsent" | "consume" | "increment" | "delete";

const MAX_SAFE = "9007199254740991";

/**
 * Replaces every `@name` with a placeholder: `$n` on PostgreSQL (a name used twice
 * binds once), `?` on SQLite (bound once per occurrence).
 */
function compile(dialect: Dialect, op: KvOp, source: string): KvStatement {
  const params: string[] = [];
  const text = source.replace(/@(\w+)/g, (_, param: string) => {
    const at = params.indexOf(param);
    if (dialect === "sqlite" || at === -1) params.push(param);
    return dialect === "sqlite" ? "?" : `$${at === -1 ? params.length : at + 1}`;
  });
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return { name: `gh_kv_${op.toLowerCase()}_${hash}`, text, params };
}

/** Every key-value statement of a store on `<prefix>kv`. */
export function kvStatements(dialect: Dialect, prefix: string): Record<KvOp, KvStatement> {
  const pg = dialect === "postgres";
  const t = q(`${prefix}kv`);
  const live = `("expires_at" IS NULL OR "expires_at" > @now)`;
  const expired = `(${t}."expires_at" IS NOT NULL AND ${t}."expires_at" <= @now)`;
  // increment: a new or expired key starts at `by` with a fresh TTL; a live key
  // holding a safe integer is added to, keeping its expiry. The WHERE refuses (no
  // row returned) a value that is not an integer or would leave the safe-integer
  // range, and the CASE guards keep casts from failing.
  const current = pg ? `${t}."value"::bigint` : `CAST(${t}."value" AS INTEGER)`;
  const step = pg ? "CAST(@by AS bigint)" : "CAST(@by AS INTEGER)";
  const isInteger = pg
    ? `${t}."value" ~ '^-?[0-9]{1,16}$'`
    : `CAST(CAST(${t}."value" AS INTEGER) AS TEXT) = ${t}."value"`;
  const sum = pg ? `(${current} + ${step})::text` : `CAST(${current} + ${step} AS TEXT)`;
  const insert = `INSERT INTO ${t} ("key", "value", "expires_at") VALUES (@key, @value, @expiresAt)`;
  const sources: Record<KvOp, string> = {
    get: `SELECT "value" FROM ${t} WHERE "key" = @key AND ${live}`,
    set: `${insert}
ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "expires_at" = excluded."expires_at"`,
    // Inserts, or overwrites only a row that has expired; RETURNING yields a row
    // exactly when this statement wrote.
    setIfAbsent: `${insert}
ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "expires_at" = excluded."expires_at"
WHERE ${expired}
RETURNING "key"`,
    consume: `DELETE FROM ${t} WHERE "key" = @key AND ${live} RETURNING "value"`,
    increment: `${insert}
ON CONFLICT ("key") DO UPDATE SET
  "value" = CASE WHEN ${expired} THEN excluded."value" ELSE ${sum} END,
  "expires_at" = CASE WHEN ${expired} THEN excluded."expires_at" ELSE ${t}."expires_at" END
WHERE ${expired} OR CASE WHEN ${isInteger}
  THEN abs(${current}) <= ${MAX_SAFE} AND abs(${current} + ${step}) <= ${MAX_SAFE}
  ELSE ${pg ? "false" : "0"} END
RETURNING "value"`,
    // Deletes an expired row too (sweeping it), but reports only a live one.
    delete: `DELETE FROM ${t} WHERE "key" = @key RETURNING ${live} AS "live"`,
  };
  const out = {} as Record<KvOp, KvStatement>;
  for (const op of Object.keys(sources) as KvOp[]) out[op] = compile(dialect, op, sources[op]);
  return out;
}

/** The values of `statement`'s parameters, in binding order. */
export function bind(statement: KvStatement, args: Readonly<Record<string, unknown>>): unknown[] {
  return statement.params.map((p) => args[p]);
}
