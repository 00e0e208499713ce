import { defineModel } from "@gatehouse/core/store";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createPostgresStore } from "../connect.js";
import { createStatementNames, MIN_NAMED_PARAMETERS } from "./statement-names.js";
import { pgUrl, uniquePrefix } from "./test-env.js";

describe("createStatementNames", () => {
  const long = MIN_NAMED_PARAMETERS;

  it("names a long text on its second run, by content, and not before", () => {
    const names = createStatementNames(10 * long);
    names.use("INSERT a", long);
    expect(names.nameOf("INSERT a")).toBeUndefined();
    names.use("INSERT a", long);
    expect(names.nameOf("INSERT a")).toMatch(/^gh_[0-9a-f]{32}$/);
    const other = createStatementNames(10 * long);
    other.use("INSERT a", long);
    other.use("INSERT a", long);
    expect(other.nameOf("INSERT a")).toBe(names.nameOf("INSERT a"));
    other.use("INSERT b", long);
    other.use("INSERT b", long);
    expect(other.nameOf("INSERT b")).not.toBe(other.nameOf("INSERT a"));
  });

  it("never names a short text, and stops once the parameter budget is spent", () => {
    const names = createStatementNames(5 * long);
    for (let i = 0; i < 5; i++) names.use("short", long - 1);
    expect(names.nameOf("short")).toBeUndefined();
    for (const text of ["a", "a", "b", "b", "c", "c"]) names.use(text, 2 * long);
    expect(names.nameOf("a")).toBeDefined();
    expect(names.nameOf("b")).toBeDefined();
    // 4 of 5 spent: a third text of 2 stays unnamed, and is never prepared.
    expect(names.nameOf("c")).toBeUndefined();
  });
});

const items = defineModel({
  name: "named_item",
  fields: { label: { type: "string", required: true }, data: { type: "json" } },
});

describe("createMany on PostgreSQL", () => {
  it("prepares a repeated batch shape once per connection and keeps writing correctly", async () => {
    const pool = new pg.Pool({ connectionString: pgUrl(), max: 1 });
    const prefix = uniquePrefix("named");
    const store = createPostgresStore(pool, { models: [items], tablePrefix: prefix });
    try {
      await store.migrate();
      const batch = (n: number) =>
        // 250 rows of 5 parameters: long enough to be named.
        Array.from({ length: 250 }, (_, i) => ({
          id: `b${n}-${i}`,
          label: `row ${i}`,
          data: { n, i },
        }));
      for (let n = 0; n < 4; n++) {
        expect(await store.records.createMany!(items, batch(n))).toEqual({ inserted: 250 });
      }
      // A replayed batch still skips the rows it already wrote.
      expect(await store.records.createMany!(items, batch(2))).toEqual({ inserted: 0 });
      const { rows } = await pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_prepared_statements WHERE name LIKE 'gh\\_%' AND statement LIKE $1",
        [`INSERT INTO "${prefix}named_item"%`],
      );
      expect(Number(rows[0]!.n)).toBe(1);
      const page = await store.records.findMany(items, { where: { label: "row 7" }, limit: 10 });
      expect(
        page.items
          .map((r) => r.data)
          .sort((a, b) => (a as { n: number }).n - (b as { n: number }).n),
      ).toEqual([0, 1, 2, 3].map((n) => ({ n, i: 7 })));
    } finally {
      await store.close();
      await pool.end();
    }
  });
});
