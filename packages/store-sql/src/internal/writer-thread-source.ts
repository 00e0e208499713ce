// The code of the SQLite writer thread (see bulk-writer.ts), run with `new Worker(source,
// { eval: true })`. A string rather than a module file: the package runs from TypeScript
// source in development and from ESM and CJS builds when published, and an eval'd script
// needs no path that holds in all three. It stays small: everything it is sent has been
// checked and encoded on the main thread.
//
// workerData: { driver: absolute path of better-sqlite3, file, timeoutMs }.
// Messages in: { id, chunks: [{ text, params }] } (one transaction) or { close: true }.
// Messages out: { id, changes } or { id, error: { name, message, code } }.

/** @internal */
export const WRITER_THREAD_SOURCE = `"use strict";
// getBuiltinModule, not require: an eval'd script is ESM when the process runs with
// --input-type=module or --experimental-default-type=module.
const { parentPort, workerData } = process.getBuiltinModule("node:worker_threads");
const { createRequire } = process.getBuiltinModule("node:module");
const Database = createRequire(workerData.driver)(workerData.driver);
const MAX_STATEMENTS = 64;
const statements = new Map();
let db;

function open() {
  if (db === undefined) {
    const opened = new Database(workerData.file, { timeout: workerData.timeoutMs });
    if (opened.pragma("journal_mode", { simple: true }) !== "wal") opened.pragma("journal_mode = WAL");
    db = opened;
  }
  return db;
}

function prepare(text) {
  let statement = statements.get(text);
  if (statement === undefined) {
    statement = db.prepare(text);
    if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value);
    statements.set(text, statement);
  }
  return statement;
}

function insert(chunks) {
  let changes = 0;
  for (const chunk of chunks) changes += prepare(chunk.text).run(chunk.params).changes;
  return changes;
}

// Open now, so the first batch does not wait for it; a failure is retried (and reported) per batch.
try {
  open();
} catch {}

parentPort.on("message", (message) => {
  if (message.close) {
    if (db !== undefined) db.close();
    parentPort.close();
    return;
  }
  try {
    const conn = open();
    const changes = message.chunks.length === 1 ? insert(message.chunks) : conn.transaction(insert)(message.chunks);
    parentPort.postMessage({ id: message.id, changes });
  } catch (err) {
    const error = err instanceof Error
      ? { name: err.name, message: err.message, code: typeof err.code === "string" ? err.code : undefined }
      : { name: "Error", message: String(err), code: undefined };
    parentPort.postMessage({ id: message.id, error });
  }
});
`;
