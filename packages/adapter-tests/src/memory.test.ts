import { GatehouseError } from "@gatehouse/core/errors";
import {
  compareValues,
  createManyFallback,
  createMemoryKeyValueStore,
  createMemoryRecordStore,
  type FindManyOptions,
  type JsonValue,
  type KeyValueStore,
  type ModelSchema,
  type Page,
  type RecordStore,
  type StoredRecord,
  StoreUnavailableError,
} from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import {
  conformanceModels,
  keyValueChecks,
  recordChecks,
  runKeyValueStoreTests,
  runRecordStoreTests,
} from "./index.js";

// The in-memory stores of core are the reference implementations: they must pass.
runKeyValueStoreTests("memory", { create: () => createMemoryKeyValueStore() });
runRecordStoreTests("memory", { create: () => createMemoryRecordStore() });

// One store shared by every test: the suite's random prefixes and groups must
// keep tests apart without any cleanup.
const sharedKv = createMemoryKeyValueStore();
const sharedRecords = createMemoryRecordStore();
runKeyValueStoreTests("memory, one shared store", { create: () => sharedKv }, { ttlMs: 60 });
runRecordStoreTests("memory, one shared store", { create: () => sharedRecords });

/** Lets every other pending caller run: what a network round-trip does to a read-then-write. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function kvWith(overrides: Partial<KeyValueStore>): KeyValueStore {
  return { ...createMemoryKeyValueStore(), ...overrides };
}

describe("the key-value checks catch broken stores", () => {
  it("a consume that reads, then deletes", async () => {
    const inner = createMemoryKeyValueStore();
    const broken = {
      ...inner,
      async consume<T extends JsonValue>(key: string) {
        const value = await inner.get<T>(key);
        await tick();
        await inner.delete(key);
        return value;
      },
    };
    await expect(keyValueChecks.consumeHasOneWinner(broken)).rejects.toThrow(
      /100 concurrent consume calls on one key: number of callers that got the value .*expected 1, got 100/,
    );
  });

  it("an increment that reads, then writes", async () => {
    const inner = createMemoryKeyValueStore();
    const broken = {
      ...inner,
      async increment(key: string, options?: { by?: number; ttlMs?: number }) {
        const value = ((await inner.get<number>(key)) ?? 0) + (options?.by ?? 1);
        await tick();
        await inner.set(key, value);
        return value;
      },
    };
    await expect(keyValueChecks.incrementSumsUnderConcurrency(broken)).rejects.toThrow(
      /concurrent increments by 1: final value/,
    );
  });

  it("a setIfAbsent that reads, then writes", async () => {
    const inner = createMemoryKeyValueStore();
    const broken = {
      ...inner,
      async setIfAbsent(key: string, value: JsonValue) {
        if ((await inner.get(key)) !== undefined) return false;
        await tick();
        await inner.set(key, value);
        return true;
      },
    };
    await expect(keyValueChecks.setIfAbsentHasOneWinner(broken)).rejects.toThrow(
      /number that resolved true/,
    );
  });

  it("a delete that reads, then deletes", async () => {
    const inner = createMemoryKeyValueStore();
    const broken = {
      ...inner,
      async delete(key: string) {
        const existed = (await inner.get(key)) !== undefined;
        await tick();
        await inner.delete(key);
        return existed;
      },
    };
    await expect(keyValueChecks.deleteHasOneWinner(broken)).rejects.toThrow(
      /number that resolved true/,
    );
  });

  it("an increment whose ttl slides with every call", async () => {
    const inner = createMemoryKeyValueStore();
    const broken = {
      ...inner,
      async increment(key: string, options?: { by?: number; ttlMs?: number }) {
        const value = await inner.increment(key, options);
        if (options?.ttlMs !== undefined) await inner.set(key, value, { ttlMs: options.ttlMs });
        return value;
      },
    };
    await expect(keyValueChecks.incrementTtlFixedAtCreation(broken, { ttlMs: 40 })).rejects.toThrow(
      /outlived its ttl/,
    );
  });

  it("a store that ignores ttlMs", async () => {
    const inner = createMemoryKeyValueStore();
    const broken = { ...inner, set: (key: string, value: JsonValue) => inner.set(key, value) };
    await expect(keyValueChecks.expiresKeys(broken, { ttlMs: 20 })).rejects.toThrow(
      /get of a key set with ttlMs 20/,
    );
  });

  it("a store that stores what it should refuse", async () => {
    const inner = createMemoryKeyValueStore();
    const lenient = {
      ...inner,
      set: (key: string, value: JsonValue, options?: { ttlMs?: number }) =>
        inner.set(key, value, options?.ttlMs === 0 ? {} : options),
    };
    await expect(keyValueChecks.rejectsInvalidTtl(lenient)).rejects.toThrow(
      /set with ttlMs zero: expected a rejection with code store_invalid, but it resolved/,
    );
  });

  it("a store that throws synchronously instead of rejecting", async () => {
    const inner = createMemoryKeyValueStore();
    const sync = {
      ...inner,
      get<T extends JsonValue = JsonValue>(key: string) {
        if (key === "") throw new GatehouseError("store_invalid", "empty key");
        return inner.get<T>(key);
      },
    };
    await expect(keyValueChecks.rejectsInvalidKeys(sync)).rejects.toThrow(/threw synchronously/);
  });

  it("a store that returns the caller's object", async () => {
    const inner = new Map<string, JsonValue>();
    const sharing = kvWith({
      set: async (key, value) => void inner.set(key, value),
      get: async <T extends JsonValue>(key: string) => inner.get(key) as T | undefined,
    });
    await expect(keyValueChecks.valuesAreCopies(sharing)).rejects.toThrow(/mutating the object/);
  });

  it("a store that folds key case", async () => {
    const inner = createMemoryKeyValueStore();
    const folding = {
      ...inner,
      set: (key: string, value: JsonValue) => inner.set(key.toLowerCase(), value),
      get: <T extends JsonValue>(key: string) => inner.get<T>(key.toLowerCase()),
    };
    await expect(keyValueChecks.keysAreDistinct(folding)).rejects.toThrow(/must be distinct/);
  });
});

describe("the unavailable check", () => {
  const methods = ["get", "set", "setIfAbsent", "consume", "increment", "delete"] as const;
  const all = (impl: () => Promise<never>) =>
    Object.fromEntries(methods.map((m) => [m, impl])) as unknown as KeyValueStore;

  it("passes a store that rejects store_unavailable at once", async () => {
    const down = all(() => Promise.reject(new StoreUnavailableError("down")));
    await expect(keyValueChecks.unavailable(down)).resolves.toBeUndefined();
  });

  it("fails a store that hangs", async () => {
    const hanging = all(() => new Promise<never>(() => {}));
    await expect(keyValueChecks.unavailable(hanging, { deadlineMs: 50 })).rejects.toThrow(
      /did not settle within 50 ms/,
    );
  });

  it("fails a store that leaks driver errors", async () => {
    const leaking = all(() => Promise.reject(new Error("ECONNREFUSED 127.0.0.1:6379")));
    await expect(keyValueChecks.unavailable(leaking)).rejects.toThrow(
      /expected a rejection with code store_unavailable, got Error: ECONNREFUSED/,
    );
  });

  it("fails a store that answers store_unavailable with the wrong status", async () => {
    const wrong = all(() =>
      Promise.reject(new GatehouseError("store_unavailable", "down", { status: 500 })),
    );
    await expect(keyValueChecks.unavailable(wrong)).rejects.toThrow(/must carry status 503/);
  });

  it("passes a record store that rejects store_unavailable at once", async () => {
    const down = Object.fromEntries(
      ["create", "findOne", "findMany", "update", "delete"].map((m) => [
        m,
        () => Promise.reject(new StoreUnavailableError("down")),
      ]),
    ) as unknown as RecordStore;
    await expect(recordChecks.unavailable(down)).resolves.toBeUndefined();
  });
});

type Strategy = "value-only, strict" | "value-only, inclusive" | "offset" | "ties always asc";

/**
 * A record store whose `findMany` pages the wrong way. It takes the correct
 * full order from the memory store and applies a broken keyset.
 */
function brokenPaging(strategy: Strategy): RecordStore {
  const inner = createMemoryRecordStore();
  return {
    ...inner,
    async findMany<M extends ModelSchema>(
      model: M,
      options: FindManyOptions<M> = {},
    ): Promise<Page<StoredRecord<M>>> {
      const field = options.orderBy?.field ?? "createdAt";
      const sign = options.orderBy?.direction === "desc" ? -1 : 1;
      const limit = options.limit ?? 50;
      const { cursor: _, ...rest } = options;
      let rows = (await inner.findMany(model, { ...rest, limit: 1000 })).items;
      const value = (r: StoredRecord<M>) => (r as Record<string, unknown>)[field];
      if (strategy === "ties always asc") {
        rows = [...rows].sort(
          (a, b) => sign * compareValues(value(a), value(b)) || compareValues(a.id, b.id),
        );
      }
      let start = 0;
      if (options.cursor !== undefined) {
        const at = JSON.parse(options.cursor) as { value: unknown; offset: number };
        if (strategy === "offset") start = at.offset;
        else if (strategy === "value-only, strict")
          start = rows.findIndex((r) => sign * compareValues(value(r), at.value) > 0);
        else if (strategy === "value-only, inclusive")
          start = rows.findIndex((r) => sign * compareValues(value(r), at.value) >= 0);
        if (start < 0) start = rows.length;
      }
      const items = rows.slice(start, start + limit);
      const last = items.at(-1);
      const more = start + limit < rows.length && last !== undefined;
      return {
        items,
        nextCursor: more ? JSON.stringify({ value: value(last), offset: start + limit }) : null,
      };
    },
  };
}

describe("the record checks catch broken stores", () => {
  it("a versioned update that reads, then writes", async () => {
    const inner = createMemoryRecordStore();
    const broken: RecordStore = {
      ...inner,
      async update(model, id, patch, options = {}) {
        const current = await inner.findOne(model, { id } as never);
        await tick();
        if (current === undefined) throw new GatehouseError("store_not_found", "no record");
        if (options.expectedVersion !== undefined && options.expectedVersion !== current.version) {
          throw new GatehouseError("store_conflict", "stale");
        }
        return inner.update(model, id, patch);
      },
    };
    await expect(recordChecks.versionedUpdateHasOneWinner(broken)).rejects.toThrow(
      /20 concurrent updates with expectedVersion 1: number that resolved .*expected 1, got 20/,
    );
  });

  it("a create that checks unique fields, then writes", async () => {
    const inner = createMemoryRecordStore();
    const broken: RecordStore = {
      ...inner,
      async create(model, data) {
        const email = (data as { email?: string }).email;
        if (email != null && (await inner.findOne(model, { email } as never)) !== undefined) {
          throw new GatehouseError("store_duplicate", "taken");
        }
        await tick();
        const { email: _, ...rest } = data as Record<string, unknown>;
        const created = await inner.create(model, rest as never);
        return { ...created, email } as never;
      },
    };
    await expect(recordChecks.uniqueCreateHasOneWinner(broken)).rejects.toThrow(
      /same unique value: number that resolved/,
    );
  });

  it.each<[Strategy, RegExp]>([
    ["value-only, strict", /must return every record once, in the order of one big page/],
    ["value-only, inclusive", /returned record .* twice/],
  ])("paging with a %s cursor loses or repeats tied records", async (strategy, message) => {
    await expect(recordChecks.paginatesWithTies(brokenPaging(strategy))).rejects.toThrow(message);
  });

  it("offset paging repeats records when rows are inserted before the cursor", async () => {
    await expect(recordChecks.paginatesWhileWriting(brokenPaging("offset"))).rejects.toThrow(
      /twice|skipped|was returned/,
    );
  });

  it("breaking ties by id ascending in a descending order", async () => {
    await expect(recordChecks.ordersByField(brokenPaging("ties always asc"))).rejects.toThrow(
      /ordered by \w+ desc: ties broken by id desc/,
    );
  });

  it("a store that returns a number field as a string", async () => {
    const inner = createMemoryRecordStore();
    const stringly: RecordStore = {
      ...inner,
      async findOne(model, where) {
        const found = await inner.findOne(model, where);
        return found && ({ ...found, rank: String((found as { rank?: unknown }).rank) } as never);
      },
    };
    await expect(recordChecks.roundTripsFieldValues(stringly)).rejects.toThrow(
      /returns what create resolved/,
    );
  });
});

/** A memory record store whose findMany passes `range` through `change` first. */
function rangeAltered(
  change: (range: FindManyOptions<ModelSchema>["range"], cursor: string | undefined) => unknown,
): RecordStore {
  const inner = createMemoryRecordStore();
  return {
    ...inner,
    findMany(model, options = {}) {
      const range = change(options.range as FindManyOptions<ModelSchema>["range"], options.cursor);
      const { range: _, ...rest } = options;
      return inner.findMany(model, range === undefined ? rest : { ...rest, range: range as never });
    },
  };
}

describe("the createMany and range checks catch broken stores", () => {
  it("a createMany that writes valid rows up to an invalid one", async () => {
    const inner = createMemoryRecordStore();
    const broken: RecordStore = {
      ...inner,
      async createMany(model, rows) {
        let inserted = 0;
        for (const row of rows) {
          if (typeof row?.id !== "string") throw new GatehouseError("store_invalid", "no id");
          await inner.create(model, row);
          inserted++;
        }
        return { inserted };
      },
    };
    await expect(recordChecks.createManyIsAtomic(broken)).rejects.toThrow(
      /createMany with a wrongly typed last row must write nothing/,
    );
  });

  it("a createMany that rejects a replayed id instead of skipping it", async () => {
    const inner = createMemoryRecordStore();
    const broken: RecordStore = {
      ...inner,
      async createMany(model, rows) {
        for (const row of rows) await inner.create(model, row);
        return { inserted: rows.length };
      },
    };
    await expect(recordChecks.createManySkipsExisting(broken)).rejects.toThrow(
      /expected to resolve, got GatehouseError code=store_duplicate/,
    );
  });

  it("a createMany that overwrites records whose id exists", async () => {
    const inner = createMemoryRecordStore();
    const broken: RecordStore = {
      ...inner,
      async createMany(model, rows) {
        let inserted = 0;
        for (const { id, ...fields } of rows) {
          if (await inner.delete(model, id)) inserted--;
          const result = await createManyFallback(inner, model, [{ ...fields, id } as never]);
          inserted += result.inserted;
        }
        return { inserted };
      },
    };
    await expect(recordChecks.createManySkipsExisting(broken)).rejects.toThrow(/inserted/);
  });

  it("passes a store without createMany, and checks the fallback over its create", async () => {
    const { createMany: _, ...withoutCreateMany } = createMemoryRecordStore();
    const store: RecordStore = withoutCreateMany;
    for (const check of [
      recordChecks.createManyInsertsAll,
      recordChecks.createManySkipsExisting,
      recordChecks.createManyIsAtomic,
      recordChecks.createManyLargeBatch,
      recordChecks.createManyFallbackOverCreate,
    ]) {
      await expect(check(store)).resolves.toBeUndefined();
    }
    await expect(
      recordChecks.createManyInsertsAll({ ...store, createMany: "yes" } as never),
    ).rejects.toThrow(/createMany must be a method or absent/);
  });

  it("a findMany that ignores range", async () => {
    await expect(recordChecks.filtersByRange(rangeAltered(() => undefined))).rejects.toThrow(
      /range gte on an integer/,
    );
  });

  it.each([
    ["gt", "gte"],
    ["lt", "lte"],
  ] as const)("a range that reads %s as %s", async (strict, inclusive) => {
    const broken = rangeAltered((range) => {
      const r = range as unknown as Record<string, unknown> | undefined;
      return r?.[strict] === undefined ? r : { ...r, [inclusive]: r[strict], [strict]: undefined };
    });
    await expect(recordChecks.filtersByRange(broken)).rejects.toThrow(
      new RegExp(`range ${strict} on an integer`),
    );
  });

  it("a findMany that drops the range after the first page", async () => {
    const broken = rangeAltered((range, cursor) => (cursor === undefined ? range : undefined));
    await expect(recordChecks.paginatesWithinRange(broken)).rejects.toThrow(
      /every record in the range once, in order/,
    );
  });

  it("a findMany that ignores a range it cannot apply", async () => {
    const lenient = rangeAltered((range) => {
      const field = (range as { field?: unknown } | undefined)?.field;
      return field === "rank" || field === "at" || field === "score" ? range : undefined;
    });
    await expect(recordChecks.rejectsInvalidRange(lenient)).rejects.toThrow(
      /findMany with a range on an unknown field: expected a rejection with code store_invalid/,
    );
  });

  it("a createMany that hangs on an unreachable backend", async () => {
    const down = Object.fromEntries(
      ["create", "findOne", "findMany", "update", "delete"].map((m) => [
        m,
        () => Promise.reject(new StoreUnavailableError("down")),
      ]),
    ) as unknown as RecordStore;
    await expect(
      recordChecks.unavailable(
        { ...down, createMany: () => new Promise<never>(() => {}) },
        { deadlineMs: 50 },
      ),
    ).rejects.toThrow(/createMany on an unreachable backend: did not settle within 50 ms/);
  });
});

describe("options", () => {
  const create = () => createMemoryKeyValueStore();
  it.each([
    [{ ttlMs: 0 }, /"ttlMs" must be an integer >= 10/],
    [{ timeoutMs: -1 }, /"timeoutMs" must be an integer >= 1/],
    [{ unavailableDeadlineMs: 1.5 }, /"unavailableDeadlineMs" must be an integer >= 1/],
  ])("runKeyValueStoreTests refuses %o at start-up", (options, message) => {
    expect(() => runKeyValueStoreTests("x", { create }, options)).toThrow(message);
  });

  it("refuses a harness without create", () => {
    expect(() => runRecordStoreTests("x", {} as never)).toThrow(
      /harness.create must be a function/,
    );
    expect(() => runKeyValueStoreTests("", { create })).toThrow(/name must be a non-empty string/);
  });

  it("exports the models the record suite uses", () => {
    expect(conformanceModels.map((m) => m.name)).toEqual([
      "gh_conformance_item",
      "gh_conformance_peer",
    ]);
    expect(Object.isFrozen(conformanceModels)).toBe(true);
  });
});
