// Internal: opens the audit store a --db argument names, and reads key files.
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { RecordStore } from "@gatehouse/core/store";
import { auditModels } from "../model.js";

/** A mistake in the command line: exit code 2 with the usage. */
export class UsageError extends Error {}

/** An opened database. */
export interface OpenedStore {
  readonly records: RecordStore;
  close(): Promise<void>;
}

const POSTGRES = /^postgres(ql)?:\/\//;

/**
 * Opens `db` (`postgres://…`, or a SQLite file, optionally `sqlite:`-prefixed)
 * with the audit models. A SQLite file must exist: a typo must not create an
 * empty database that then verifies.
 */
export async function openStore(db: string, tablePrefix: string | undefined): Promise<OpenedStore> {
  let sql: typeof import("@gatehouse/store-sql");
  try {
    sql = await import("@gatehouse/store-sql");
  } catch (err) {
    throw new Error(
      "gatehouse-audit needs @gatehouse/store-sql (with pg or better-sqlite3) installed",
      { cause: err },
    );
  }
  const options = {
    models: auditModels,
    timeoutMs: 30_000,
    ...(tablePrefix === undefined ? {} : { tablePrefix }),
  };
  if (POSTGRES.test(db)) return sql.createPostgresStore(db, options);
  const file = db.replace(/^sqlite:/, "");
  if (file === "" || file === ":memory:" || !existsSync(file)) {
    throw new UsageError(`no SQLite database at "${file}"`);
  }
  return sql.createSqliteStore(file, options);
}

/**
 * The checkpoint key in `file`: a PEM Ed25519 key (private signs, public
 * verifies), else the file's bytes (without a final newline) as an HMAC secret.
 */
export function readKey(file: string, use: "sign" | "verify"): KeyObject | Buffer {
  const bytes = readFileSync(file);
  const text = bytes.toString("utf8");
  if (text.includes("-----BEGIN")) {
    return use === "sign" || text.includes("PRIVATE KEY")
      ? createPrivateKey(text)
      : createPublicKey(text);
  }
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  return bytes.subarray(0, end);
}
