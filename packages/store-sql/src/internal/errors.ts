// Driver errors → Gatehouse error codes. Messages never repeat the driver's
// message (it may quote a value); the driver error is kept as `cause`.
import { GatehouseError, isGatehouseError, StoreUnavailableError } from "@gatehouse/core/errors";
import type { Dialect, TableInfo } from "./schema.js";

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
]);

/** PostgreSQL SQLSTATEs meaning "the value cannot be stored" (NUL byte, bad escape, out of range). */
const PG_INVALID = new Set(["22021", "22P05", "22P02", "22003", "54000", "22001"]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The field of a unique violation, when the driver says which index. */
function duplicateField(dialect: Dialect, err: unknown, info: TableInfo | undefined) {
  if (info === undefined) return undefined;
  if (dialect === "postgres") {
    const constraint = (err as { constraint?: unknown }).constraint;
    return typeof constraint === "string" ? info.uniqueNames.get(constraint) : undefined;
  }
  const column = /constraint failed: [^.]+\.(\w+)/.exec(messageOf(err))?.[1];
  if (column === undefined) return undefined;
  if (column === "id") return "id";
  return info.columns.find((c) => c.column === column)?.field;
}

/** Whether `err` means the database could not be reached or dropped the connection. */
export function isConnectionError(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  if (code !== undefined && /^(08|57|53)/.test(code) && code.length === 5) return true;
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Cannot use a pool after calling end|The database connection is not open|Cannot open database|driver has already been destroyed|connection has been discarded/i.test(
    messageOf(err),
  );
}

/**
 * Maps a driver error to a {@link GatehouseError}: unique violations to
 * `store_duplicate`, unstorable values to `store_invalid`, everything else
 * (connection refused or lost, timeout, missing table, …) to `store_unavailable`.
 */
export function mapError(
  dialect: Dialect,
  err: unknown,
  what: string,
  info?: TableInfo,
): GatehouseError {
  if (isGatehouseError(err)) return err;
  const code = codeOf(err);
  const subject = info === undefined ? what : `${info.model.name}: ${what}`;
  if (
    code === "23505" ||
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY"
  ) {
    const field = duplicateField(dialect, err, info);
    return new GatehouseError(
      "store_duplicate",
      field === "id" || field === undefined
        ? `${subject}: ${field === "id" ? "id already exists" : "a unique field already has this value"}`
        : `${info?.model.name}: another record has this ${field}`,
      { cause: err },
    );
  }
  if ((code !== undefined && PG_INVALID.has(code)) || code === "SQLITE_TOOBIG") {
    return new GatehouseError("store_invalid", `${subject}: the database cannot store this value`, {
      cause: err,
    });
  }
  if (code === "42P01" || /no such table/.test(messageOf(err))) {
    return new StoreUnavailableError(
      `${subject}: a table is missing; run the store's migrate() (or apply its migration SQL)`,
      { cause: err },
    );
  }
  if (code === "57014") {
    return new StoreUnavailableError(`${subject}: the database timed out`, { cause: err });
  }
  return new StoreUnavailableError(
    isConnectionError(err)
      ? `${subject}: the database is unreachable`
      : `${subject}: the database failed`,
    { cause: err },
  );
}
