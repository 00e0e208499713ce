// `bulkWrites: "worker"` on SQLite: createMany's INSERTs run on a writer thread with its own
// connection. (The conformance suite runs against such a store too.)
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { defineModel } from "@gatehouse/core/store";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStore, type SqlStore } from "./index.js";
import { rowsPerInsert } from "./internal/record.js";

const entry = defineModel({
  name: "entry",
  fields: {
    label: { type: "string", required: true },
    n: { type: "integer", required: true },
  },
});

const dir = mkdtempSync(join(tmpdir(), "gatehouse-bulk-"));
const stores: SqlStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
async function open(): Promise<{ store: SqlStore; file: string }> {
  const file = join(dir, `bulk-${++files}.db`);
  const store = createSqliteStore(file, { models: [entry], bulkWrites: "worker" });
  stores.push(store);
  await store.migrate();
  return { store, file };
}

const rows = (count: number, label = "row") =>
  Array.from({ length: count }, (_, i) => ({ id: `${label}-${i}`, label, n: i }));

function countRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM "gh_entry"').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('createSqliteStore({ bulkWrites: "worker" })', () => {
  it("needs a database file: refuses :memory:, a Database object and unknown values", () => {
    for (const target of [":memory:", "", "sqlite::memory:"]) {
      expect(() => createSqliteStore(target, { bulkWrites: "worker" })).toThrow(
        expect.objectContaining({ code: "config_invalid" }),
      );
    }
    const db = new Database(":memory:");
    expect(() => createSqliteStore(db, { bulkWrites: "worker" })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
    db.close();
    expect(() => createSqliteStore(join(dir, "x.db"), { bulkWrites: "thread" as never })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });

  it("writes off the event loop: timers run while a large batch is inserted, and reads see it once it resolves", async () => {
    const { store } = await open();
    const batch = rows(20_000);
    let ticks = 0;
    let writing = true;
    const spin = (async () => {
      while (writing) {
        ticks++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const { inserted } = await store.records.createMany!(entry, batch);
    writing = false;
    await spin;
    expect(inserted).toBe(20_000);
    // better-sqlite3 on this thread would hold the loop for the whole INSERT (a few ticks at most).
    expect(ticks).toBeGreaterThan(50);
    const last = await store.records.findOne(entry, { id: "row-19999" });
    expect(last).toMatchObject({ label: "row", n: 19_999 });
  });

  it("runs a batch of several INSERTs as one transaction: a row the database refuses writes none", async () => {
    const { store, file } = await open();
    const db = new Database(file);
    db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON "gh_entry" WHEN NEW."label" = 'poison'
      BEGIN SELECT RAISE(ABORT, 'poison refused'); END`);
    db.close();
    const perInsert = rowsPerInsert("sqlite", 2);
    const batch = [...rows(perInsert * 2), { id: "poison-0", label: "poison", n: 0 }];
    await expect(store.records.createMany!(entry, batch)).rejects.toMatchObject({
      code: "store_unavailable",
    });
    expect(countRows(file)).toBe(0);
    // The thread is still there for the next batch.
    await expect(store.records.createMany!(entry, rows(3))).resolves.toEqual({ inserted: 3 });
  });

  it("skips rows whose id exists, as inline writes do", async () => {
    const { store, file } = await open();
    await store.records.createMany!(entry, rows(10));
    const again = await store.records.createMany!(entry, [...rows(10), ...rows(5, "new")]);
    expect(again).toEqual({ inserted: 5 });
    expect(countRows(file)).toBe(15);
  });

  it("close() lets the writes already sent finish", async () => {
    const file = join(dir, "closing.db");
    const store = createSqliteStore(file, { models: [entry], bulkWrites: "worker" });
    await store.migrate();
    const pending = [1, 2, 3].map((k) => store.records.createMany!(entry, rows(2_000, `b${k}`)));
    await store.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(3);
    expect(countRows(file)).toBe(6_000);
    await expect(store.records.createMany!(entry, rows(1, "late"))).rejects.toMatchObject({
      code: "store_unavailable",
    });
  });

  it("an idle writer thread does not keep the process alive; a write still out does", async () => {
    const file = join(dir, "lifetime.db");
    const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
    // Never closed, the last batch not awaited: the process must stay for it, then exit.
    const script = `
      import { createSqliteStore } from "./src/index.ts";
      const entry = { name: "entry", fields: { label: { type: "string", required: true }, n: { type: "integer", required: true } } };
      const store = createSqliteStore(${JSON.stringify(file)}, { models: [entry], bulkWrites: "worker" });
      await store.migrate();
      const rows = (label) => Array.from({ length: 5000 }, (_, i) => ({ id: label + i, label, n: i }));
      await store.records.createMany(entry, rows("a"));
      void store.records.createMany(entry, rows("b"));
      console.log("returned");
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@gatehouse/source", "--import", "tsx", "--input-type=module", "-e", script],
      // A thread that kept the process alive would hang it: the timeout kills it and fails the test.
      { cwd: pkg, timeout: 20_000 },
    );
    expect(stdout).toBe("returned\n");
    expect(countRows(file)).toBe(10_000);
  }, 30_000);
});
