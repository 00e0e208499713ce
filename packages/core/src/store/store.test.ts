import { createFakeClock } from "@gatehouse/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isGatehouseError } from "../errors.js";
import { namespaced } from "./key-value.js";
import { createMemoryKeyValueStore } from "./memory-key-value.js";
import { createMemoryRecordStore } from "./memory-record.js";
import { defineModel } from "./model.js";

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
