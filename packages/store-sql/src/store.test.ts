import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { defineModel, type RangeFilter } from "@gatehouse/core/store";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPostgresStore,
  createSqliteStore,
  createSqlStore,
  type SqlStore,
  type SqlStoreOptions,
} from "./index.js";
import { rowsPerInsert } from "./internal/record.js";
import { pgUrl, uniquePrefix } from "./internal/test-env.js";

const numbers = defineModel({
  name: "numbers",
  fields: {
    label: { type: "string", required: true },
    big: { type: "integer" },
    at: { type: "timestamp" },
    ratio: { type: "number" },
    flag: { type: "boolean" },
    data: { type: "json" },
  },
});

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

const pools: pg.Pool[] = [];
const stores: SqlStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(pools.map((p) => p.end()));
});

describe.each(["sqlite", "postgres"] as const)("%s", (dialect) => {
  async function open(options: SqlStoreOptions = {}) {
    const opts = { tablePrefix: uniquePrefix("st"), models: [numbers], ...options };
    const store =
      dialect === "sqlite"
        ? createSqliteStore(":memory:", opts)
        : createPostgresStore(pgUrl(), opts);
    stores.push(store);
    await store.migrate();
    return store;
  }

  it("integers up to MAX_SAFE_INTEGER, timestamps, floats and booleans come back as JS values", async () => {
    const { records } = await open();
    const values = [
      {
        label: "max",
        big: Number.MAX_SAFE_INTEGER,
        at: 8_640_000_000_000_000,
        ratio: 0.1 + 0.2,
        flag: true,
      },
      { label: "min", big: Number.MIN_SAFE_INTEGER, at: 0, ratio: -1e-300, flag: false },
      { label: "float", big: 0, at: 1, ratio: 1.7976931348623157e308, flag: null },
    ];
    for (const value of values) {
      const created = await records.create(numbers, { ...value, data: { n: value.big } });
      const found = await records.findOne(numbers, { id: created.id });
      expect(found).toEqual(created);
      expect(found).toMatchObject({ ...value, data: { n: value.big } });
      for (const key of ["version", "createdAt", "updatedAt", "big", "at", "ratio"] as const) {
        if (found?.[key] !== null) expect(typeof found?.[key]).toBe("number");
      }
      expect(await records.findOne(numbers, { big: value.big, label: value.label })).toEqual(
        created,
      );
    }
    const page = await records.findMany(numbers, {
      orderBy: { field: "label", direction: "desc" },
    });
    expect(page.items.map((r) => r.label)).toEqual(["min", "max", "float"]);
  });

  it("orders strings by code point (U+FFFF before U+1F600)", async () => {
    const { records } = await open();
    for (const label of ["😀", "\uffff", "a", "Z", "é"]) await records.create(numbers, { label });
    const asc = await records.findMany(numbers, { orderBy: { field: "label", direction: "asc" } });
    expect(asc.items.map((r) => r.label)).toEqual(["Z", "a", "é", "\uffff", "😀"]);
  });

  it("refuses strings the database would corrupt with store_invalid", async () => {
    const { records } = await open();
    await expect(records.create(numbers, { label: "lone \ud800 surrogate" })).rejects.toMatchObject(
      {
        code: "store_invalid",
      },
    );
    // Core refuses the value in a filter too: no store could ever hold it.
    await expect(
      records.findOne(numbers, { label: "lone \ud800 surrogate" }),
    ).rejects.toMatchObject({
      code: "store_invalid",
    });
    if (dialect === "postgres") {
      await expect(records.create(numbers, { label: "nul \u0000 byte" })).rejects.toMatchObject({
        code: "store_invalid",
      });
      await expect(
        records.create(numbers, { label: "x", data: { s: "nul \u0000 in json" } }),
      ).rejects.toMatchObject({ code: "store_invalid" });
    }
    expect((await records.findMany(numbers)).items).toEqual([]);
  });

  it("expired keys are invisible to every operation and sweepExpired() deletes them", async () => {
    const clock = fakeClock();
    const store = await open({ clock, sweepEvery: 0 });
    const { kv } = store;
    await kv.set("a", "A", { ttlMs: 1000 });
    await kv.set("b", "B", { ttlMs: 1000 });
    await kv.set("c", "C", { ttlMs: 1000 });
    await kv.set("n", 5, { ttlMs: 1000 });
    await kv.set("keep", "K");
    clock.advance(999);
    expect(await kv.get("a")).toBe("A");
    clock.advance(1);
    expect(await kv.get("a")).toBeUndefined();
    expect(await kv.consume("a")).toBeUndefined();
    expect(await kv.delete("b")).toBe(false);
    expect(await kv.setIfAbsent("c", "C2", { ttlMs: 10 })).toBe(true);
    expect(await kv.get("c")).toBe("C2");
    expect(await kv.increment("n", { by: 3, ttlMs: 50 })).toBe(3);
    clock.advance(100);
    // a and c (again) are expired and still stored; b was deleted; n expired too.
    expect(await store.sweepExpired()).toBe(3);
    expect(await store.sweepExpired()).toBe(0);
    expect(await kv.get("keep")).toBe("K");
  });

  it("sweeps a batch of expired keys every `sweepEvery` writes", async () => {
    const clock = fakeClock();
    const store = await open({ clock, sweepEvery: 5 });
    for (let i = 0; i < 4; i++) await store.kv.set(`old${i}`, i, { ttlMs: 10 });
    clock.advance(10);
    await store.kv.set("trigger", 1); // the 5th write starts a background sweep
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.sweepExpired()).toBe(0);
  });

  it("increment refuses a non-integer or overflowing value and leaves it as it was", async () => {
    const { kv } = await open();
    for (const value of ["7", 1.5, "x", { n: 1 }, 1e21]) {
      await kv.set("k", value);
      await expect(kv.increment("k")).rejects.toMatchObject({ code: "store_invalid" });
      expect(await kv.get("k")).toEqual(value);
    }
    await kv.set("k", Number.MAX_SAFE_INTEGER - 1);
    expect(await kv.increment("k")).toBe(Number.MAX_SAFE_INTEGER);
    await expect(kv.increment("k")).rejects.toMatchObject({ code: "store_invalid" });
    expect(await kv.increment("k", { by: -Number.MAX_SAFE_INTEGER })).toBe(0);
  });

  it("refuses a model it was not given with store_invalid", async () => {
    const { records } = await open();
    const other = defineModel({ name: "other", fields: { x: { type: "string" } } });
    await expect(records.create(other, { x: "1" })).rejects.toMatchObject({
      code: "store_invalid",
    });
    const clash = defineModel({ name: "numbers", fields: { label: { type: "integer" } } });
    await expect(records.findMany(clash)).rejects.toMatchObject({ code: "store_invalid" });
  });

  /** A store on a connection this test owns, with raw SQL on the side. */
  async function openOwned(options: SqlStoreOptions = {}) {
    const tablePrefix = uniquePrefix("own");
    let exec: (text: string) => Promise<unknown[]>;
    let store: SqlStore;
    if (dialect === "sqlite") {
      const db = new Database(":memory:");
      exec = async (text) => {
        if (/^\s*SELECT/i.test(text)) return db.prepare(text).all();
        db.exec(text);
        return [];
      };
      store = createSqlStore(
        { dialect, database: db },
        { tablePrefix, models: [numbers], ...options },
      );
    } else {
      const pool = new pg.Pool({ connectionString: pgUrl() });
      pool.on("error", () => {});
      pools.push(pool);
      exec = async (text) => (await pool.query(text)).rows;
      store = createSqlStore({ dialect, pool }, { tablePrefix, models: [numbers], ...options });
    }
    stores.push(store);
    await store.migrate();
    const table = `"${tablePrefix}numbers"`;
    const count = async () =>
      Number(((await exec(`SELECT count(*) AS n FROM ${table}`))[0] as { n: unknown }).n);
    return { store, exec, count, table, tablePrefix };
  }

  const fullRow = (i: number) => ({
    id: `r${String(i).padStart(5, "0")}`,
    label: `row ${i}`,
    big: i,
    at: 1_700_000_000_000 + i,
    ratio: i / 8,
    flag: i % 2 === 0,
    data: { i },
  });

  it("createMany fills each statement up to the driver's parameter limit, in one transaction", async () => {
    const clock = fakeClock();
    const { store, count } = await openOwned({ clock });
    const perStatement = rowsPerInsert(dialect, Object.keys(numbers.fields).length);
    expect(perStatement).toBe(dialect === "sqlite" ? 3640 : 7281);
    // Every field non-null: each row binds the most parameters it can.
    const exact = Array.from({ length: perStatement }, (_, i) => fullRow(i));
    expect(await store.records.createMany!(numbers, exact)).toEqual({ inserted: perStatement });
    const more = Array.from({ length: perStatement * 2 + 1 }, (_, i) => fullRow(i));
    expect(await store.records.createMany!(numbers, more)).toEqual({
      inserted: perStatement + 1,
    });
    expect(await count()).toBe(perStatement * 2 + 1);
    const last = await store.records.findOne(numbers, { id: fullRow(perStatement * 2).id });
    expect(last).toEqual({
      ...fullRow(perStatement * 2),
      version: 1,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
  });

  it("createMany rolls back every statement of a batch when a later one fails", async () => {
    const { store, exec, count, table, tablePrefix } = await openOwned();
    if (dialect === "sqlite") {
      await exec(`CREATE TRIGGER "${tablePrefix}refuse" BEFORE INSERT ON ${table}
WHEN NEW."label" = 'refused' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    } else {
      await exec(`CREATE FUNCTION "${tablePrefix}refuse"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW."label" = 'refused' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`);
      await exec(`CREATE TRIGGER "${tablePrefix}refuse" BEFORE INSERT ON ${table}
FOR EACH ROW EXECUTE FUNCTION "${tablePrefix}refuse"()`);
    }
    const perStatement = rowsPerInsert(dialect, Object.keys(numbers.fields).length);
    const rows = Array.from({ length: perStatement + 10 }, (_, i) => fullRow(i));
    rows[perStatement + 5] = { ...fullRow(perStatement + 5), label: "refused" };
    await expect(store.records.createMany!(numbers, rows)).rejects.toMatchObject({
      code: "store_unavailable",
    });
    expect(await count()).toBe(0);
    // The connection is usable again: the transaction ended.
    expect(await store.records.createMany!(numbers, rows.slice(0, 3))).toEqual({ inserted: 3 });
    expect(await count()).toBe(3);
  });

  it("range compares meta columns and fields with their encoding", async () => {
    const clock = fakeClock();
    const { records } = await open({ clock });
    for (let i = 0; i < 5; i++) {
      await records.create(numbers, { label: `n${i}`, big: 2 ** 40 + i, ratio: i - 0.5 });
      clock.advance(10);
    }
    const labels = async (range: RangeFilter<typeof numbers>) =>
      (await records.findMany(numbers, { range })).items.map((r) => r.label);
    expect(await labels({ field: "createdAt", gt: clock.now() - 30 })).toEqual(["n3", "n4"]);
    expect(await labels({ field: "updatedAt", lte: clock.now() - 40 })).toEqual(["n0", "n1"]);
    expect(await labels({ field: "big", gte: 2 ** 40 + 3 })).toEqual(["n3", "n4"]);
    expect(await labels({ field: "ratio", gt: -0.5, lte: 1.5 })).toEqual(["n1", "n2"]);
    expect(await labels({ field: "at" })).toEqual([]); // every "at" is null
    expect(await labels({ field: "createdAt", gte: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  it("after close(), operations reject with store_unavailable", async () => {
    const store = await open();
    await store.close();
    await expect(store.kv.get("k")).rejects.toMatchObject({
      code: "store_unavailable",
      status: 503,
    });
    await expect(store.records.findMany(numbers)).rejects.toMatchObject({
      code: "store_unavailable",
    });
    await expect(
      store.records.createMany!(numbers, [{ id: "x", label: "x" }]),
    ).rejects.toMatchObject({ code: "store_unavailable" });
    await expect(store.migrate()).rejects.toMatchObject({ code: "store_unavailable" });
    await store.close();
  });
});

describe("connections you own", () => {
  it("createSqlStore on a better-sqlite3 Database leaves it open on close()", async () => {
    const db = new Database(":memory:");
    const store = createSqlStore({ dialect: "sqlite", database: db }, { models: [numbers] });
    await store.migrate();
    await store.kv.set("k", 1);
    await store.close();
    expect(db.prepare('SELECT "value" FROM "gh_kv"').get()).toEqual({ value: "1" });
    db.close();
  });

  it("createSqlStore on a pg Pool leaves the pool and pg's global type parsers alone", async () => {
    const pool = new pg.Pool({ connectionString: pgUrl() });
    pool.on("error", () => {});
    pools.push(pool);
    const before = pg.types.getTypeParser(20);
    const tablePrefix = uniquePrefix("own");
    const store = createSqlStore({ dialect: "postgres", pool }, { tablePrefix, models: [numbers] });
    await store.migrate();
    const created = await store.records.create(numbers, { label: "x", big: 2 ** 40 });
    expect(created.big).toBe(2 ** 40);
    await store.close();
    expect(pg.types.getTypeParser(20)).toBe(before);
    const { rows } = await pool.query(`SELECT big FROM ${tablePrefix}numbers`);
    expect(rows).toEqual([{ big: String(2 ** 40) }]);
  });
});

describe("a server that accepts connections but never answers", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer(() => {}); // swallow every connection
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `postgres://postgres@127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  });
  afterAll(async () => {
    server.close();
  });

  it("operations reject with store_unavailable after timeoutMs instead of hanging", async () => {
    const store = createPostgresStore(url, { timeoutMs: 300 });
    stores.push(store);
    const started = performance.now();
    const results = await Promise.allSettled([
      store.kv.get("k"),
      store.kv.increment("k"),
      store.records.findMany(numbers).catch((err: unknown) => Promise.reject(err)),
    ]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
    expect(
      results.map((r) => r.status === "rejected" && (r.reason as { code: string }).code),
    ).toEqual([
      "store_unavailable",
      "store_unavailable",
      "store_invalid", // unknown model: refused before touching the database
    ]);
  });
});

describe("options", () => {
  it.each([
    [{ tablePrefix: "Bad-Prefix" }, /tablePrefix/],
    [{ timeoutMs: 0 }, /timeoutMs/],
    [{ sweepEvery: -1 }, /sweepEvery/],
    [{ clock: {} as never }, /clock/],
    [{ models: [numbers, numbers] }, /two models are named "numbers"/],
    [{ models: [defineModel({ name: "kv", fields: {} })] }, /reserved/],
    [
      { tablePrefix: "p".repeat(32), models: [defineModel({ name: "x".repeat(40), fields: {} })] },
      /longer than 63/,
    ],
  ])("refuses %o with config_invalid", (options, message) => {
    expect(() => createSqliteStore(":memory:", options as SqlStoreOptions)).toThrow(message);
    try {
      createSqliteStore(":memory:", options as SqlStoreOptions);
    } catch (err) {
      expect(err).toMatchObject({ code: "config_invalid" });
    }
  });

  it("refuses a connection that is not a pool or a database", () => {
    expect(() => createSqlStore({ dialect: "postgres", pool: {} as never })).toThrow(/pg Pool/);
    expect(() => createSqlStore({ dialect: "mysql" } as never)).toThrow(/dialect/);
    expect(() => createPostgresStore("mysql://x")).toThrow(/postgres:\/\//);
  });
});

describe("meta filters beyond the version column's range", () => {
  it.each(["sqlite", "postgres"] as const)(
    "%s: match nothing / conflict, never fail",
    async (dialect) => {
      const opts = { tablePrefix: uniquePrefix("meta"), models: [numbers] };
      const store =
        dialect === "sqlite"
          ? createSqliteStore(":memory:", opts)
          : createPostgresStore(pgUrl(), opts);
      stores.push(store);
      await store.migrate();
      const created = await store.records.create(numbers, { label: "x" });
      expect(await store.records.findOne(numbers, { version: 2 ** 40 } as never)).toBeUndefined();
      await expect(
        store.records.update(numbers, created.id, { label: "y" }, { expectedVersion: 2 ** 40 }),
      ).rejects.toMatchObject({ code: "store_conflict" });
      await expect(
        store.records.update(numbers, "missing", { label: "y" }, { expectedVersion: 1 }),
      ).rejects.toMatchObject({ code: "store_not_found" });
      expect(
        (
          await store.records.findMany(numbers, {
            orderBy: { field: "version" as never, direction: "asc" },
          })
        ).items,
      ).toHaveLength(1);
    },
  );
});
