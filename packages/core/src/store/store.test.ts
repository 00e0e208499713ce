import { createFakeClock } from "@gatehouse/testing";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { isGatehouseError, StoreUnavailableError } from "../errors.js";
import { namespaced } from "./key-value.js";
import { createMemoryKeyValueStore } from "./memory-key-value.js";
import { createMemoryRecordStore } from "./memory-record.js";
import {
  checkCreateInto,
  checkCreateMany,
  checkRange,
  defineModel,
  inRange,
  type ModelSchema,
} from "./model.js";
import { createManyFallback, type RangeFilter } from "./record.js";

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    if (isGatehouseError(err)) return err.code;
    throw err;
  }
  return undefined;
}

describe("defineModel", () => {
  it("freezes a valid model", () => {
    const m = defineModel({ name: "gh_user", fields: { email: { type: "string", unique: true } } });
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.isFrozen(m.fields.email)).toBe(true);
  });

  it.each([
    [{ name: "User", fields: {} }, "model name"],
    [{ name: "gh_user", fields: { Email: { type: "string" } } }, "camelCase"],
    [{ name: "gh_user", fields: { id: { type: "string" } } }, "camelCase and not one of"],
    [{ name: "gh_user", fields: { version: { type: "integer" } } }, "not one of"],
    [{ name: "gh_user", fields: { x: { type: "date" } } }, "unknown type"],
    [{ name: "gh_user", fields: { x: { type: "json", unique: true } } }, "cannot be unique"],
  ])("refuses %j at start-up with config_invalid", async (schema, mention) => {
    try {
      defineModel(schema as never);
      expect.unreachable();
    } catch (err) {
      expect(isGatehouseError(err) && err.code).toBe("config_invalid");
      expect((err as Error).message).toContain(mention);
    }
  });
});

describe("namespaced()", () => {
  it("keeps the keys of two namespaces apart on one store", async () => {
    const store = createMemoryKeyValueStore();
    const a = namespaced(store, "passwordless");
    const b = namespaced(store, "mfa");
    await a.set("k", 1);
    expect(await b.get("k")).toBeUndefined();
    expect(await store.get("passwordless:k")).toBe(1);
    expect(await b.consume("k")).toBeUndefined();
    expect(await a.consume("k")).toBe(1);
  });

  it("refuses a namespace that could collide or smuggle a separator", () => {
    for (const ns of ["", "a:b", "a b", "x".repeat(65)]) {
      expect(() => namespaced(createMemoryKeyValueStore(), ns)).toThrow(/namespace/);
    }
  });
});

describe("memory stores are bounded", () => {
  it("refuses a new key when full, after sweeping expired keys first", async () => {
    const clock = createFakeClock();
    const store = createMemoryKeyValueStore({ maxEntries: 2, clock });
    await store.set("a", 1, { ttlMs: 1000 });
    await store.set("b", 2);
    expect(await codeOf(store.set("c", 3))).toBe("store_unavailable");
    await store.set("b", 22); // replacing an existing key is always possible
    clock.advance(1000); // "a" expires: the next write sweeps it and fits
    await store.set("c", 3);
    expect(store.size).toBe(2);
    expect(await store.get("a")).toBeUndefined();
  });

  it("refuses a record beyond maxRecordsPerModel", async () => {
    const m = defineModel({ name: "gh_item", fields: { n: { type: "integer", required: true } } });
    const store = createMemoryRecordStore({ maxRecordsPerModel: 1 });
    await store.create(m, { n: 1 });
    expect(await codeOf(store.create(m, { n: 2 }))).toBe("store_unavailable");
  });

  it("refuses two different schemas under one model name", async () => {
    const store = createMemoryRecordStore();
    await store.create(defineModel({ name: "gh_x", fields: { a: { type: "string" } } }), {});
    const other = defineModel({ name: "gh_x", fields: { b: { type: "string" } } });
    expect(await codeOf(store.create(other, {}))).toBe("store_invalid");
  });
});

describe("production warning", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("warns once per kind under NODE_ENV=production, and never otherwise", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === "GATEHOUSE_MEMORY_STORE") warnings.push(w.message);
    };
    process.on("warning", onWarning);
    try {
      createMemoryRecordStore();
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
      vi.stubEnv("NODE_ENV", "production");
      createMemoryRecordStore();
      createMemoryRecordStore();
      await new Promise((r) => setImmediate(r));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("createMemoryRecordStore()");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("compareValues", () => {
  it('orders strings by code point, as PostgreSQL COLLATE "C" and SQLite do', async () => {
    const { compareValues } = await import("./memory-record.js");
    const words = ["b", "a", "ab", "", "\uffff", "😀", "Z", "é"];
    const sorted = [...words].sort(compareValues);
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(sorted).toEqual(byBytes);
    expect(compareValues(1, 2)).toBe(-1);
    expect(compareValues(false, true)).toBe(-1);
    expect(compareValues("x", "x")).toBe(0);
  });
});

describe("hostile input to the store helpers", () => {
  it("namespaced() rejects a bad key instead of throwing synchronously", async () => {
    const ns = namespaced(createMemoryKeyValueStore(), "ns");
    const result = ns.get("bad key");
    expect(result).toBeInstanceOf(Promise);
    expect(await codeOf(result)).toBe("store_invalid");
  });

  it("refuses a forged cursor whose position does not fit the ordered field", async () => {
    const { encodeCursor } = await import("./record.js");
    const m = defineModel({
      name: "gh_rank",
      fields: { rank: { type: "integer", required: true } },
    });
    const store = createMemoryRecordStore();
    await store.create(m, { rank: 1 });
    const orderBy = { field: "rank", direction: "asc" } as const;
    for (const value of [{ $gt: "x" }, "1", null, 1.5]) {
      const cursor = encodeCursor({ field: "rank", direction: "asc" }, value, "zzz");
      expect(await codeOf(store.findMany(m, { orderBy, cursor }))).toBe("store_invalid");
    }
    const forgedMeta = encodeCursor({ field: "createdAt", direction: "asc" }, "yesterday", "zzz");
    expect(await codeOf(store.findMany(m, { cursor: forgedMeta }))).toBe("store_invalid");
  });

  it("refuses meta-field filters that are not whole numbers", async () => {
    const m = defineModel({ name: "gh_meta", fields: { a: { type: "string" } } });
    const store = createMemoryRecordStore();
    for (const version of [Number.NaN, 1.5, "1"]) {
      expect(await codeOf(store.findOne(m, { version } as never))).toBe("store_invalid");
    }
  });
});

describe("serialiseValue", () => {
  it("refuses what JSON cannot round-trip, anywhere in the value", async () => {
    const { serialiseValue } = await import("./json.js");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    for (const bad of [
      undefined,
      Number.NaN,
      { a: [1, Number.POSITIVE_INFINITY] },
      { f: () => 1 },
      [undefined],
      10n,
      Symbol("s"),
      cyclic,
      deep,
    ]) {
      expect(await codeOf(() => serialiseValue(bad))).toBe("store_invalid");
    }
    expect(serialiseValue({ a: undefined, b: [1, "x", null, { c: true }] })).toBe(
      '{"b":[1,"x",null,{"c":true}]}',
    );
    expect(serialiseValue({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });
});

describe("strings SQL cannot store", () => {
  it("are refused in string and json fields by every store alike", async () => {
    const m = defineModel({
      name: "gh_text",
      fields: { s: { type: "string" }, j: { type: "json" } },
    });
    const store = createMemoryRecordStore();
    for (const bad of ["a\0b", "\ud800", "x\udc00y"]) {
      expect(await codeOf(store.create(m, { s: bad }))).toBe("store_invalid");
      expect(await codeOf(store.create(m, { j: { nested: [bad] } }))).toBe("store_invalid");
      expect(await codeOf(store.create(m, { j: { [bad]: 1 } }))).toBe("store_invalid");
    }
    const ok = await store.create(m, { s: "😀 é", j: { k: "😀" } });
    expect(ok.s).toBe("😀 é");
  });
});

describe("createMany", () => {
  const m = defineModel({
    name: "gh_batch",
    fields: { n: { type: "integer", required: true }, tag: { type: "string", unique: true } },
  });

  it("the memory store refuses a batch that would pass maxRecordsPerModel, writing nothing", async () => {
    const store = createMemoryRecordStore({ maxRecordsPerModel: 3 });
    await store.create(m, { n: 0, id: "a" });
    const rows = ["a", "b", "c", "d"].map((id, n) => ({ id, n }));
    expect(await codeOf(store.createMany!(m, rows))).toBe("store_unavailable");
    expect((await store.findMany(m)).items.map((r) => r.id)).toEqual(["a"]);
    // "a" exists, so b and c fit.
    expect(await store.createMany!(m, rows.slice(0, 3))).toEqual({ inserted: 2 });
  });

  it("stamps every row of a batch with the same createdAt and updatedAt, and copies the values", async () => {
    const clock = createFakeClock(1_700_000_000_000);
    const store = createMemoryRecordStore({ clock });
    const rows = [
      { id: "x", n: 1 },
      { id: "y", n: 2 },
    ];
    await store.createMany!(m, rows);
    rows[0]!.n = 99;
    const { items } = await store.findMany(m);
    expect(items.map((r) => [r.n, r.createdAt, r.updatedAt, r.version])).toEqual([
      [1, clock.now(), clock.now(), 1],
      [2, clock.now(), clock.now(), 1],
    ]);
  });

  it("checkCreateMany names the first bad row", () => {
    expect(() =>
      checkCreateMany(m, [
        { id: "a", n: 1 },
        { id: "b", n: "2" },
      ]),
    ).toThrow(/gh_batch: field "n" must be a integer \(rows\[1\]\)/);
    expect(() => checkCreateMany(m, [{ n: 1 }])).toThrow(
      /needs the id of every record \(rows\[0\]\)/,
    );
    expect(() => checkCreateMany(m, {} as never)).toThrow(/needs an array/);
  });

  it("checkCreateInto writes the checked values in field order at an offset, and gives the id", () => {
    const model = defineModel({
      name: "gh_pos",
      fields: {
        label: { type: "string", required: true },
        n: { type: "integer" },
        data: { type: "json" },
        on: { type: "boolean" },
      },
    });
    const target: unknown[] = ["kept"];
    expect(checkCreateInto(model, { data: { a: 1 }, label: "x", id: "r1" }, target, 1)).toBe("r1");
    expect(target).toEqual(["kept", "x", null, { a: 1 }, null]);
    expect(checkCreateInto(model, { label: "y", on: true }, target, 0)).toBeUndefined();
    expect(target.slice(0, 4)).toEqual(["y", null, null, true]);
    for (const bad of [
      { label: "x", color: "red" },
      { n: 1 },
      { label: "a\u0000b" },
      { label: "x", data: { v: Number.NaN } },
      { label: "x", id: "has space" },
      null,
    ]) {
      expect(() => checkCreateInto(model, bad as never, [], 0)).toThrow(
        expect.objectContaining({ code: "store_invalid" }),
      );
    }
  });

  it("createManyFallback validates first, skips duplicates, and is not atomic on an outage", async () => {
    const inner = createMemoryRecordStore();
    await inner.create(m, { id: "a", n: 0, tag: "t" });
    expect(
      await codeOf(createManyFallback(inner, m, [{ id: "z", n: 1 }, { id: "y" } as never])),
    ).toBe("store_invalid");
    expect(await inner.findOne(m, { id: "z" })).toBeUndefined();
    const rows = [
      { id: "a", n: 1 },
      { id: "b", n: 2, tag: "t" },
      { id: "c", n: 3 },
      { id: "d", n: 4 },
    ];
    expect(await createManyFallback(inner, m, rows)).toEqual({ inserted: 2 });
    let calls = 0;
    const flaky = {
      ...inner,
      create: ((model, data) => {
        if (++calls === 2) return Promise.reject(new StoreUnavailableError("down"));
        return inner.create(model, data);
      }) as typeof inner.create,
    };
    const more = [
      { id: "e", n: 5 },
      { id: "f", n: 6 },
      { id: "g", n: 7 },
    ];
    expect(await codeOf(createManyFallback(flaky, m, more))).toBe("store_unavailable");
    expect(await inner.findOne(m, { id: "e" })).toBeDefined(); // not atomic
    expect(await createManyFallback(inner, m, more)).toEqual({ inserted: 2 }); // a resend completes it
  });
});

describe("range", () => {
  const m = defineModel({
    name: "gh_ranged",
    fields: {
      n: { type: "integer" },
      at: { type: "timestamp", required: true },
      x: { type: "number" },
      s: { type: "string" },
    },
  });

  it("checkRange keeps the bounds given and refuses anything else", () => {
    expect(checkRange(m, undefined)).toBeUndefined();
    expect(checkRange(m, { field: "at", gte: 1, lt: 2, lte: undefined })).toEqual({
      field: "at",
      gte: 1,
      lt: 2,
    });
    expect(checkRange(m, { field: "x", gt: 0.5 })).toEqual({ field: "x", gt: 0.5 });
    for (const bad of [
      { field: "s", gte: 1 },
      { field: "version", gte: 1 },
      { field: "toString", gte: 1 },
      { field: "n", gte: 0.5 },
      { field: "createdAt", lt: "2024" },
      { field: "n", gte: 1, between: [1, 2] },
      [],
    ]) {
      expect(() => checkRange(m, bad)).toThrow(/gh_ranged: /);
    }
  });

  it("types: a range field is a numeric field of the model, or any name of an unknown model", () => {
    expectTypeOf<RangeFilter<typeof m>["field"]>().toEqualTypeOf<
      "n" | "at" | "x" | "createdAt" | "updatedAt"
    >();
    expectTypeOf<RangeFilter<ModelSchema>["field"]>().toEqualTypeOf<string>();
  });

  it("inRange: null never matches; each bound is inclusive or strict as named", () => {
    const r = { field: "n", gte: 1, lt: 3 };
    expect([null, undefined, 0, 1, 2, 3].map((v) => inRange(r, v))).toEqual([
      false,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(inRange({ field: "n" }, 0)).toBe(true);
    expect(inRange({ field: "n", gt: 1, lte: 1 }, 1)).toBe(false);
  });
});
