import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineModel, type ModelSchema } from "@gatehouse/core/store";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  createPostgresStore,
  createSqliteStore,
  type SqlStore,
  type SqlStoreOptions,
} from "./index.js";
import { pgUrl, uniquePrefix } from "./internal/test-env.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-migrate-"));
const pools: pg.Pool[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(pools.map((p) => p.end()));
});

const userV1 = defineModel({
  name: "user",
  fields: {
    email: { type: "string", required: true, unique: true },
    age: { type: "integer" },
  },
});
const userV2 = defineModel({
  name: "user",
  fields: {
    email: { type: "string", required: true, unique: true },
    age: { type: "integer", indexed: true },
    nickname: { type: "string", indexed: true },
    profile: { type: "json" },
  },
});

interface Target {
  open(options: SqlStoreOptions): SqlStore;
  query(text: string): Promise<Record<string, unknown>[]>;
}

function sqliteTarget(): Target {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.db`);
  return {
    open: (options) => createSqliteStore(file, options),
    async query(text) {
      const db = new Database(file);
      try {
        const statement = db.prepare(text);
        if (statement.reader) return statement.all() as Record<string, unknown>[];
        statement.run();
        return [];
      } finally {
        db.close();
      }
    },
  };
}

function postgresTarget(): Target {
  const pool = new pg.Pool({ connectionString: pgUrl() });
  pools.push(pool);
  return {
    open: (options) => createPostgresStore(pgUrl(), options),
    query: async (text) => (await pool.query(text)).rows,
  };
}

describe.each([
  ["sqlite", sqliteTarget],
  ["postgres", postgresTarget],
] as const)("%s migrations", (_dialect, makeTarget) => {
  const stores: SqlStore[] = [];
  afterAll(() => Promise.all(stores.map((s) => s.close())));
  function setup(models: readonly ModelSchema[] = [userV1]) {
    const target = makeTarget();
    const tablePrefix = uniquePrefix("mig");
    const open = (m: readonly ModelSchema[] = models) => {
      const store = target.open({ tablePrefix, models: m });
      stores.push(store);
      return store;
    };
    return { target, tablePrefix, open };
  }

  it("is idempotent: a second migrate() finds nothing to do", async () => {
    const { target, tablePrefix, open } = setup();
    const store = open();
    expect((await store.pendingMigrationSql()).length).toBeGreaterThan(0);
    await store.migrate();
    await store.migrate();
    expect(await store.pendingMigrationSql()).toEqual([]);
    const rows = await target.query(`SELECT id FROM ${tablePrefix}migrations ORDER BY position`);
    expect(rows.map((r) => r.id)).toEqual([
      "kv@1",
      expect.stringMatching(/^model:user@[0-9a-f]{12}$/),
    ]);
    await open().migrate();
    expect(await target.query(`SELECT id FROM ${tablePrefix}migrations`)).toHaveLength(2);
  });

  it("two stores (two connections) migrating at once both succeed", async () => {
    const { target, tablePrefix, open } = setup();
    const [a, b, c] = [open(), open(), open()];
    await Promise.all([a.migrate(), b.migrate(), c.migrate(), a.migrate()]);
    expect(await target.query(`SELECT id FROM ${tablePrefix}migrations`)).toHaveLength(2);
    await a.records.create(userV1, { email: "a@example.com" });
    expect(await b.records.findOne(userV1, { email: "a@example.com" })).toMatchObject({
      age: null,
    });
  });

  it("adds the columns and indexes of new optional fields; old rows read null", async () => {
    const { target, tablePrefix, open } = setup();
    const v1 = open([userV1]);
    await v1.migrate();
    const old = await v1.records.create(userV1, { email: "old@example.com", age: 40 });

    const v2 = open([userV2]);
    const pending = await v2.pendingMigrationSql();
    expect(pending.join("\n")).toMatch(/ALTER TABLE "\w+user" ADD COLUMN "nickname" text/);
    expect(pending.join("\n")).toMatch(/ADD COLUMN "profile" (jsonb|text)/);
    expect(pending.join("\n")).toMatch(/CREATE INDEX IF NOT EXISTS "\w+user_age_idx"/);
    expect(pending.join("\n")).not.toMatch(/CREATE TABLE "\w+user"/);
    await v2.migrate();
    expect(await v2.pendingMigrationSql()).toEqual([]);

    expect(await v2.records.findOne(userV2, { id: old.id })).toEqual({
      ...old,
      nickname: null,
      profile: null,
    });
    const created = await v2.records.create(userV2, {
      email: "new@example.com",
      nickname: "neo",
      profile: { a: [1, 2] },
    });
    expect(await v2.records.findOne(userV2, { nickname: "neo" })).toEqual(created);
    const ids = await target.query(`SELECT id FROM ${tablePrefix}migrations ORDER BY position`);
    expect(ids).toHaveLength(3);
  });

  it.each([
    [
      "a type change",
      defineModel({
        name: "user",
        fields: {
          email: { type: "string", required: true, unique: true },
          age: { type: "number" },
        },
      }),
      /changes the type of "age" from integer to number/,
    ],
    [
      "a new required field",
      defineModel({
        name: "user",
        fields: {
          email: { type: "string", required: true, unique: true },
          age: { type: "integer" },
          plan: { type: "string", required: true },
        },
      }),
      /adds the required field "plan"/,
    ],
    [
      "dropping a required field",
      defineModel({ name: "user", fields: { age: { type: "integer" } } }),
      /drops the required field "email"/,
    ],
  ])("refuses %s with config_invalid and changes nothing", async (_what, changed, message) => {
    const { target, tablePrefix, open } = setup();
    await open([userV1]).migrate();
    const store = open([changed]);
    await expect(store.migrate()).rejects.toMatchObject({ code: "config_invalid", message });
    await expect(store.pendingMigrationSql()).rejects.toMatchObject({ code: "config_invalid" });
    expect(await target.query(`SELECT id FROM ${tablePrefix}migrations`)).toHaveLength(2);
  });

  it("migrationSql() applied by hand leaves migrate() nothing to do", async () => {
    const { target, open } = setup([userV2]);
    const store = open();
    for (const statement of store.migrationSql()) await target.query(statement);
    expect(await store.pendingMigrationSql()).toEqual([]);
    await store.migrate();
    const created = await store.records.create(userV2, { email: "x@example.com", profile: [1] });
    expect(await store.records.findOne(userV2, { id: created.id })).toEqual(created);
  });

  it("enforces a unique index added later", async () => {
    const { open } = setup();
    const withoutUnique = defineModel({
      name: "user",
      fields: { email: { type: "string", required: true }, age: { type: "integer" } },
    });
    await open([withoutUnique]).migrate();
    const store = open([userV1]);
    expect((await store.pendingMigrationSql()).join("\n")).toMatch(/CREATE UNIQUE INDEX/);
    await store.migrate();
    await store.records.create(userV1, { email: "u@example.com" });
    await expect(store.records.create(userV1, { email: "u@example.com" })).rejects.toMatchObject({
      code: "store_duplicate",
      message: "user: another record has this email",
    });
  });
});

describe("migrationSql()", () => {
  const item = defineModel({
    name: "item",
    fields: {
      ownerId: { type: "string", required: true, indexed: true },
      slug: { type: "string", unique: true },
      count: { type: "integer" },
      price: { type: "number" },
      active: { type: "boolean" },
      meta: { type: "json" },
      seenAt: { type: "timestamp" },
    },
  });
  const clock = { now: () => 1_700_000_000_000 };

  it("PostgreSQL: typed columns, C collation, indexes, recorded migrations", () => {
    const sqlText = createPostgresStore("postgres://localhost/x", { models: [item], clock })
      .migrationSql()
      .join(";\n");
    expect(sqlText).toContain('CREATE TABLE IF NOT EXISTS "gh_migrations"');
    expect(sqlText).toContain('"key" text COLLATE "C" NOT NULL PRIMARY KEY');
    expect(sqlText).toContain('"expires_at" bigint');
    expect(sqlText).toContain('CREATE TABLE IF NOT EXISTS "gh_item"');
    for (const column of [
      '"id" text COLLATE "C" NOT NULL PRIMARY KEY',
      '"version" integer NOT NULL',
      '"created_at" bigint NOT NULL',
      '"owner_id" text COLLATE "C" NOT NULL',
      '"slug" text COLLATE "C"',
      '"count" bigint',
      '"price" double precision',
      '"active" boolean',
      '"meta" jsonb',
      '"seen_at" bigint',
    ]) {
      expect(sqlText).toContain(column);
    }
    expect(sqlText).toContain(
      'CREATE UNIQUE INDEX IF NOT EXISTS "gh_item_slug_key" ON "gh_item" ("slug")',
    );
    expect(sqlText).toContain(
      'CREATE INDEX IF NOT EXISTS "gh_item_owner_id_idx" ON "gh_item" ("owner_id")',
    );
    expect(sqlText).toMatch(/SELECT 'kv@1', 1700000000000,/);
    expect(sqlText).toMatch(/SELECT 'model:item@[0-9a-f]{12}', 1700000000000,/);
  });

  it("SQLite: the same schema with SQLite types", () => {
    const sqlText = createSqliteStore(":memory:", { models: [item], tablePrefix: "app_", clock })
      .migrationSql()
      .join(";\n");
    expect(sqlText).toContain('CREATE TABLE IF NOT EXISTS "app_item"');
    expect(sqlText).not.toContain("COLLATE");
    expect(sqlText).not.toContain("jsonb");
    for (const column of ['"price" real', '"active" integer', '"meta" text', '"count" bigint']) {
      expect(sqlText).toContain(column);
    }
  });

  it("is deterministic: the migration id is a hash of the fields", () => {
    const a = createSqliteStore(":memory:", { models: [item], clock }).migrationSql();
    const b = createSqliteStore(":memory:", { models: [item], clock }).migrationSql();
    expect(a).toEqual(b);
  });
});
