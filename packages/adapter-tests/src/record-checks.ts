import {
  compareValues,
  createManyFallback,
  type FindManyOptions,
  type JsonValue,
  type RangeFilter,
  type RecordInput,
  type RecordInputWithId,
  type RecordStore,
  type StoredRecord,
} from "@gatehouse/core/store";
import {
  fail,
  ok,
  preview,
  rejectsWith,
  resolves,
  same,
  tally,
  together,
  token,
  unavailableWithin,
} from "./internal.js";
import type { UnavailableCheckOptions } from "./key-value-checks.js";
import { conformanceItem as item, conformancePeer as peer } from "./models.js";

/**
 * A check of {@link recordChecks}: resolves when `store` conforms, throws an
 * `AssertionError` when not. `store` must serve `conformanceModels`.
 */
export type RecordCheck = (store: RecordStore) => Promise<void>;

type Item = typeof item;
type ItemRecord = StoredRecord<Item>;
type OrderBy = NonNullable<FindManyOptions<Item>["orderBy"]>;
type Range = RangeFilter<Item>;

/** A fixed, plausible base for `at` timestamps (2023-11-14). */
const T0 = 1_700_000_000_000;

function newGroup(): string {
  return `g-${token()}`;
}

function data(group: string, fields: Partial<RecordInput<Item>> = {}): RecordInput<Item> {
  return { group, name: "n", rank: 0, at: T0, ...fields } as RecordInput<Item>;
}

/** Every record of `group`, in the given order, in one page. */
async function everything(
  store: RecordStore,
  group: string,
  orderBy?: OrderBy,
): Promise<ItemRecord[]> {
  const page = await resolves(
    () => store.findMany(item, { where: { group }, ...(orderBy ? { orderBy } : {}), limit: 1000 }),
    "findMany(limit 1000)",
  );
  same(page.nextCursor, null, "nextCursor of a page holding every match");
  return page.items;
}

/** The ids of the records, for compact comparison. */
const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);

/** The expected order: by `field`, ties by `id`, both in `direction`, code-unit comparison. */
function sorted(records: readonly ItemRecord[], orderBy: OrderBy): ItemRecord[] {
  const sign = orderBy.direction === "desc" ? -1 : 1;
  const f = orderBy.field as keyof ItemRecord;
  return [...records].sort(
    (a, b) => sign * (compareValues(a[f], b[f]) || compareValues(a.id, b.id)),
  );
}

/**
 * Walks every page of `group` (within `range`, when given) with `limit`,
 * checking page shapes; `between` runs after each page.
 */
async function walk(
  store: RecordStore,
  group: string,
  orderBy: OrderBy | undefined,
  limit: number,
  between?: (page: readonly ItemRecord[], index: number) => Promise<void>,
  range?: Range,
): Promise<ItemRecord[]> {
  const seen: ItemRecord[] = [];
  const seenIds = new Set<string>();
  let cursor: string | undefined;
  for (let index = 0; index < 10_000; index++) {
    const options: FindManyOptions<Item> = {
      where: { group },
      limit,
      ...(orderBy ? { orderBy } : {}),
      ...(range ? { range } : {}),
    };
    if (cursor !== undefined) options.cursor = cursor;
    const page = await resolves(
      () => store.findMany(item, options),
      `findMany page ${index + 1} (limit ${limit})`,
    );
    ok(
      page.items.length <= limit,
      `page ${index + 1} holds ${page.items.length} records, more than limit ${limit}`,
    );
    if (page.nextCursor !== null) {
      ok(
        typeof page.nextCursor === "string" && page.nextCursor.length > 0,
        `nextCursor must be a non-empty string or null, got ${preview(page.nextCursor)}`,
      );
      ok(
        page.items.length === limit,
        `page ${index + 1} holds ${page.items.length} < ${limit} records but has a nextCursor`,
      );
    }
    for (const record of page.items) {
      if (seenIds.has(record.id)) {
        fail(
          `paging (limit ${limit}) returned record ${record.id} twice, again on page ${index + 1}: the cursor must continue strictly after the (field, id) of the last record`,
        );
      }
      seenIds.add(record.id);
      seen.push(record);
    }
    if (between) await between(page.items, index);
    if (page.nextCursor === null) return seen;
    cursor = page.nextCursor;
  }
  return fail("pagination did not end after 10000 pages (a cursor that does not advance?)");
}

function checkMeta(record: ItemRecord, what: string): void {
  ok(
    typeof record.id === "string" && record.id.length > 0,
    `${what}: id must be a non-empty string, got ${preview(record.id)}`,
  );
  ok(
    Number.isSafeInteger(record.createdAt) && record.createdAt > 0,
    `${what}: createdAt must be ms since the epoch (a safe integer), got ${preview(record.createdAt)}`,
  );
  ok(
    Number.isSafeInteger(record.updatedAt) && record.updatedAt >= record.createdAt,
    `${what}: updatedAt must be a safe integer >= createdAt, got ${preview(record.updatedAt)}`,
  );
  ok(
    Number.isSafeInteger(record.version) && record.version >= 1,
    `${what}: version must be a positive integer, got ${preview(record.version)}`,
  );
}

async function createSetsMetadata(store: RecordStore): Promise<void> {
  const group = newGroup();
  const input = data(group, { name: "Ada", rank: 3, at: T0 + 1 });
  const created = await resolves(() => store.create(item, input), "create");
  checkMeta(created, "create");
  same(created.version, 1, "version of a new record");
  same(created.updatedAt, created.createdAt, "a new record's updatedAt equals its createdAt");
  same(
    { ...created, id: undefined, createdAt: undefined, updatedAt: undefined, version: undefined },
    {
      group,
      name: "Ada",
      rank: 3,
      at: T0 + 1,
      score: null,
      active: null,
      email: null,
      note: null,
      data: null,
      id: undefined,
      createdAt: undefined,
      updatedAt: undefined,
      version: undefined,
    },
    "create resolves the record with every field; optional fields not given are null",
  );
  same(
    await store.findOne(item, { id: created.id }),
    created,
    "findOne by id returns what create resolved",
  );
  const second = await store.create(item, data(group));
  ok(second.id !== created.id, "two creates without id must get distinct ids");
  ok(second.createdAt >= created.createdAt, "createdAt of a later record must not be earlier");
}

async function createHonoursExplicitId(store: RecordStore): Promise<void> {
  const group = newGroup();
  const id = `Id-${token()}:A/b+c=`;
  const created = await resolves(
    () => store.create(item, { ...data(group), id }),
    "create with an explicit id",
  );
  same(created.id, id, "an explicit id is kept exactly");
  same((await store.findOne(item, { id }))?.id, id, "findOne by the explicit id");
  await rejectsWith(
    "store_duplicate",
    () => store.create(item, { ...data(group, { name: "other" }), id }),
    "create with an id that exists",
  );
  same(ids(await everything(store, group)), [id], "a refused duplicate id writes nothing");
  same(await store.findOne(item, { id: id.toLowerCase() }), undefined, "ids are case-sensitive");
}

async function findsOne(store: RecordStore): Promise<void> {
  const group = newGroup();
  const a = await store.create(item, data(group, { name: "a", rank: 1 }));
  const b = await store.create(item, data(group, { name: "b", rank: 2, note: "x" }));
  same(
    await resolves(() => store.findOne(item, { id: a.id }), "findOne by id"),
    a,
    "findOne by id",
  );
  same(await store.findOne(item, { group, name: "b" }), b, "findOne by fields");
  same(await store.findOne(item, { id: b.id, group }), b, "findOne by id and a matching field");
  same(
    await store.findOne(item, { id: b.id, name: "a" }),
    undefined,
    "findOne by id and a field that does not match",
  );
  same(await store.findOne(item, { group, note: "x" }), b, "findOne by an optional field");
  same(await store.findOne(item, { group, name: "c" }), undefined, "findOne with no match");
  same(
    await store.findOne(item, { id: `missing-${token()}` }),
    undefined,
    "findOne of a missing id",
  );
  same(
    await store.findOne(item, { group: `${group}x` }),
    undefined,
    "findOne matches equality, not prefix",
  );
}

async function updatesFields(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created = await store.create(
    item,
    data(group, { name: "before", rank: 1, note: "keep", score: 1.5, active: true }),
  );
  const updated = await resolves(
    () => store.update(item, created.id, { name: "after", active: false }),
    "update",
  );
  same(updated.version, 2, "version after one update");
  same(updated.createdAt, created.createdAt, "update must not change createdAt");
  ok(updated.updatedAt >= created.updatedAt, "updatedAt must not move backwards on update");
  same(
    { ...updated, version: 0, updatedAt: 0 },
    { ...created, name: "after", active: false, version: 0, updatedAt: 0 },
    "update changes the patched fields and leaves the others",
  );
  same(
    await store.findOne(item, { id: created.id }),
    updated,
    "findOne after update returns what update resolved",
  );
  const cleared = await store.update(
    item,
    created.id,
    { note: null, score: null },
    { expectedVersion: 2 },
  );
  same(
    [cleared.note, cleared.score, cleared.version],
    [null, null, 3],
    "update to null clears optional fields; a matching expectedVersion is accepted",
  );
  await rejectsWith(
    "store_conflict",
    () => store.update(item, created.id, { name: "stale" }, { expectedVersion: 2 }),
    "update with a stale expectedVersion",
  );
  same(
    await store.findOne(item, { id: created.id }),
    cleared,
    "a refused (stale) update changes nothing",
  );
}

async function updateOfMissingIsNotFound(store: RecordStore): Promise<void> {
  const missing = `missing-${token()}`;
  await rejectsWith(
    "store_not_found",
    () => store.update(item, missing, { name: "x" }),
    "update of a missing id",
  );
  await rejectsWith(
    "store_not_found",
    () => store.update(item, missing, { name: "x" }, { expectedVersion: 1 }),
    "update of a missing id with expectedVersion",
  );
  same(
    await store.findOne(item, { id: missing }),
    undefined,
    "update of a missing id must not create it",
  );
}

async function deletesRecords(store: RecordStore): Promise<void> {
  const group = newGroup();
  const a = await store.create(item, data(group, { name: "a" }));
  const b = await store.create(item, data(group, { name: "b" }));
  same(
    await resolves(() => store.delete(item, a.id), "delete"),
    true,
    "delete of an existing record",
  );
  same(await store.findOne(item, { id: a.id }), undefined, "findOne after delete");
  same(await store.delete(item, a.id), false, "a second delete");
  same(await store.delete(item, `missing-${token()}`), false, "delete of a missing id");
  same(ids(await everything(store, group)), [b.id], "delete removes only its record");
  await rejectsWith(
    "store_not_found",
    () => store.update(item, a.id, { name: "z" }),
    "update of a deleted record",
  );
}

async function modelsAreIsolated(store: RecordStore): Promise<void> {
  const group = newGroup();
  const id = `shared-${token()}`;
  const email = `${token()}@example.test`;
  const a = await store.create(item, { ...data(group, { name: "item", email }), id });
  const b = await resolves(
    () => store.create(peer, { group, name: "peer", email, id }),
    "create of the same id and unique value in another model",
  );
  same((await store.findOne(item, { id }))?.name, a.name, "findOne in the first model");
  same((await store.findOne(peer, { id }))?.name, b.name, "findOne in the second model");
  same(await store.delete(peer, id), true, "delete in the second model");
  same((await store.findOne(item, { id }))?.name, "item", "deleting in one model leaves the other");
}

async function roundTripsFieldValues(store: RecordStore): Promise<void> {
  const group = newGroup();
  const inputs: RecordInput<Item>[] = [
    data(group, {
      name: "😀 مرحبا שלום 𝄞 \u0001\t\n\u001f e\u0301 '; DROP TABLE x; --",
      rank: Number.MAX_SAFE_INTEGER,
      at: 8_640_000_000_000_000,
      score: 0.1 + 0.2,
      active: false,
      note: `${"x".repeat(10_000)}😀`,
    }),
    data(group, {
      name: "",
      rank: Number.MIN_SAFE_INTEGER,
      at: 0,
      score: -1e-7,
      active: true,
      note: "",
    }),
    data(group, { name: "zero", rank: 0, at: T0, score: 0, active: null, note: null }),
    data(group, { name: "floats", rank: -1, at: T0, score: Math.PI }),
    data(group, { name: "big", rank: 1, at: T0, score: Number.MAX_VALUE }),
  ];
  for (const input of inputs) {
    const created = await resolves(
      () => store.create(item, input),
      `create ${preview(input.name)}`,
    );
    const found = await store.findOne(item, { id: created.id });
    same(found, created, `findOne of ${preview(input.name)} returns what create resolved`);
    for (const field of Object.keys(input) as (keyof typeof input)[]) {
      same(
        created[field as keyof ItemRecord],
        input[field],
        `round-trip of field ${String(field)} = ${preview(input[field])}`,
      );
    }
  }
  const found = await everything(store, group);
  same(found.length, inputs.length, "every record is found");
  same(
    typeof found[0]?.rank,
    "number",
    "integer fields come back as numbers (not strings or bigints)",
  );
  same(typeof found[0]?.at, "number", "timestamp fields come back as numbers (ms since the epoch)");
  same(typeof found[0]?.createdAt, "number", "createdAt comes back as a number");
}

async function roundTripsJson(store: RecordStore): Promise<void> {
  const group = newGroup();
  const values: JsonValue[] = [
    { a: { b: { c: { d: [1, { e: null, f: "😀", g: { h: false } }] } } }, ключ: "значение", "": 0 },
    [1, "two", null, true, { three: [3] }, [], -0.5, Number.MAX_SAFE_INTEGER],
    'a string with "quotes" and \u2028 and 𝄞',
    42.5,
    false,
    {},
    [],
  ];
  for (const value of values) {
    const created = await resolves(
      () => store.create(item, data(group, { data: value })),
      `create with data ${preview(value)}`,
    );
    same(created.data, value, "create resolves the json value");
    same(
      (await store.findOne(item, { id: created.id }))?.data,
      value,
      `round-trip of json ${preview(value)}`,
    );
  }
  const first = (await everything(store, group))[0]!;
  const next = { replaced: [{ deep: { deeper: ["😀", 1.25, null] } }] };
  same(
    (await store.update(item, first.id, { data: next })).data,
    next,
    "update of a json field resolves the new value",
  );
  same(
    (await store.findOne(item, { id: first.id }))?.data,
    next,
    "round-trip of a json field through update",
  );
}

async function rejectsInvalidCreate(store: RecordStore): Promise<void> {
  const group = newGroup();
  const bad: Record<string, Record<string, unknown>> = {
    "an unknown field": { ...data(group), color: "red" },
    "a meta field (version)": { ...data(group), version: 7 },
    "a missing required field": { group, name: "n", rank: 1 },
    "null in a required field": { ...data(group), name: null },
    "a string in an integer field": { ...data(group), rank: "1" },
    "a float in an integer field": { ...data(group), rank: 1.5 },
    "an unsafe integer": { ...data(group), rank: Number.MAX_SAFE_INTEGER + 2 },
    "a float timestamp": { ...data(group), at: T0 + 0.5 },
    "a Date as timestamp": { ...data(group), at: new Date(T0) },
    "a number in a string field": { ...data(group), name: 5 },
    "a string in a boolean field": { ...data(group), active: "true" },
    "NaN in a number field": { ...data(group), score: Number.NaN },
    "Infinity in a number field": { ...data(group), score: Number.POSITIVE_INFINITY },
    "a function in a json field": { ...data(group), data: { f: () => 1 } },
    "NaN deep in a json field": { ...data(group), data: { a: [1, { b: Number.NaN }] } },
    "a NUL in a json string": { ...data(group), data: { s: "a\u0000b" } },
    "a lone surrogate in a json key": { ...data(group), data: { "k\ud800": 1 } },
    "a json value over 1 MiB": { ...data(group), data: ["é".repeat(600_000)] },
    "a json value that serialises to nothing": {
      ...data(group),
      data: { toJSON: () => undefined },
    },
    "an empty id": { ...data(group), id: "" },
    "an id with a space": { ...data(group), id: "has space" },
  };
  for (const [what, input] of Object.entries(bad)) {
    await rejectsWith(
      "store_invalid",
      () => store.create(item, input as RecordInput<Item>),
      `create with ${what}`,
    );
  }
  same(await everything(store, group), [], "a refused create must write nothing");
}

async function rejectsInvalidUpdate(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created = await store.create(item, data(group, { name: "kept", rank: 1 }));
  const bad: Record<string, Record<string, unknown>> = {
    "an unknown field": { color: "red" },
    "null in a required field": { name: null },
    "a string in an integer field": { rank: "2" },
    "a float in an integer field": { rank: 2.5 },
    "a number in a string field": { name: 5 },
    "the id": { id: "other" },
    "the version": { version: 9 },
    createdAt: { createdAt: 1 },
  };
  for (const [what, patch] of Object.entries(bad)) {
    await rejectsWith(
      "store_invalid",
      () => store.update(item, created.id, patch as never),
      `update with ${what}`,
    );
  }
  same(
    await store.findOne(item, { id: created.id }),
    created,
    "a refused update must change nothing (not even version)",
  );
}

async function rejectsInvalidQueries(store: RecordStore): Promise<void> {
  const group = newGroup();
  await store.create(item, data(group));
  const find = (options: Record<string, unknown>) => () =>
    store.findMany(item, options as FindManyOptions<Item>);
  await rejectsWith(
    "store_invalid",
    () => store.findOne(item, { color: "red" } as never),
    "findOne by an unknown field",
  );
  await rejectsWith(
    "store_invalid",
    find({ where: { color: "red" } }),
    "findMany by an unknown field",
  );
  await rejectsWith(
    "store_invalid",
    find({ where: { rank: "1" } }),
    "findMany with a wrongly typed filter",
  );
  await rejectsWith(
    "store_invalid",
    find({ where: { data: { a: 1 } } }),
    "findMany filtering on a json field",
  );
  await rejectsWith(
    "store_invalid",
    find({ orderBy: { field: "data" } }),
    "findMany ordered by a json field",
  );
  await rejectsWith(
    "store_invalid",
    find({ orderBy: { field: "note" } }),
    "findMany ordered by an optional field",
  );
  await rejectsWith(
    "store_invalid",
    find({ orderBy: { field: "color" } }),
    "findMany ordered by an unknown field",
  );
  await rejectsWith(
    "store_invalid",
    find({ where: { group }, cursor: "not a cursor" }),
    "findMany with a malformed cursor",
  );
}

async function filtersByEquality(store: RecordStore): Promise<void> {
  const group = newGroup();
  const make = (name: string, fields: Partial<RecordInput<Item>>) =>
    store.create(item, data(group, { name, ...fields }));
  const a = await make("a", { rank: 1, active: true, note: "x" });
  const b = await make("b", { rank: 1, active: false, note: null });
  const c = await make("c", { rank: 0, active: null, note: "x" });
  const d = await make("d", { rank: 2, active: false });
  await store.create(item, data(newGroup(), { name: "a", rank: 1, note: "x" }));
  const match = async (where: Record<string, unknown>) =>
    ids(
      (
        await resolves(
          () => store.findMany(item, { where: { group, ...where }, orderBy: { field: "name" } }),
          `findMany where ${preview(where)}`,
        )
      ).items,
    );
  same(await match({}), ids([a, b, c, d]), "a filter on group alone");
  same(await match({ rank: 1 }), ids([a, b]), "equality on an integer");
  same(await match({ rank: 0 }), ids([c]), "equality on 0 (not null)");
  same(await match({ rank: 1, note: "x" }), ids([a]), "equality on two fields (AND)");
  same(
    await match({ note: null }),
    ids([b, d]),
    "null matches records whose field is null (or omitted), and only them",
  );
  same(await match({ active: false }), ids([b, d]), "false matches false, not null");
  same(await match({ active: null }), ids([c]), "null on a boolean matches null, not false");
  same(await match({ name: "A" }), [], "string equality is case-sensitive");
  same(await match({ name: "a%" }), [], "string equality is not LIKE");
  same(await match({ id: c.id }), ids([c]), "equality on id");
  same(await match({ version: 1 }), ids([a, b, c, d]), "equality on version");
  same(
    ids([(await store.findOne(item, { group, note: null, rank: 2 }))!]),
    ids([d]),
    "findOne with a null filter",
  );
}

/** Names, ranks and times with ties and case/punctuation differences, for ordering. */
const ORDER_ROWS: readonly [name: string, rank: number, at: number, idSuffix: string][] = [
  ["b", 3, T0 + 5, "A"],
  ["B", -1, T0, "a"],
  ["a", 3, T0 + 5, "B"],
  ["a b", 0, T0 + 1, "b"],
  ["ab", 3, T0, "0"],
  ["_x", 10, T0 + 5, "_"],
  ["a", 2, T0 + 1, "Z"],
  ["Z", 3, T0, "z"],
  ["a", 3, T0 + 5, "-"],
  ["aa", -1, T0 + 2, "~"],
];

async function createOrderRows(store: RecordStore, group: string): Promise<ItemRecord[]> {
  const created: ItemRecord[] = [];
  for (const [name, rank, at, suffix] of ORDER_ROWS) {
    created.push(
      await store.create(item, { ...data(group, { name, rank, at }), id: `${group}-${suffix}` }),
    );
  }
  return created;
}

async function ordersByField(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created = await createOrderRows(store, group);
  for (const field of ["name", "rank", "at", "id"] as const) {
    for (const direction of ["asc", "desc"] as const) {
      const orderBy = { field, direction };
      same(
        ids(await everything(store, group, orderBy)),
        ids(sorted(created, orderBy)),
        `findMany ordered by ${field} ${direction}: ties broken by id ${direction}; strings (and ids) compared by code unit, as COLLATE "C" does`,
      );
    }
  }
  const byDefault = await everything(store, group);
  same(
    ids(byDefault),
    ids(sorted(byDefault, { field: "createdAt", direction: "asc" })),
    "the default order is createdAt asc, ties by id asc",
  );
  same(
    ids(byDefault),
    ids(await everything(store, group, { field: "createdAt" })),
    "direction defaults to asc",
  );
}

async function paginatesWithTies(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created: ItemRecord[] = [];
  const values = ["b", "a", "B"];
  await Promise.all(
    Array.from({ length: 23 }, async (_, i) => {
      const r = await store.create(
        item,
        data(group, { name: values[i % 3]!, rank: i % 2, at: T0 + (i % 4) }),
      );
      created.push(r);
    }),
  );
  const orderings: (OrderBy | undefined)[] = [
    undefined,
    { field: "rank", direction: "asc" },
    { field: "rank", direction: "desc" },
    { field: "name", direction: "asc" },
    { field: "name", direction: "desc" },
    { field: "at", direction: "desc" },
    { field: "createdAt", direction: "desc" },
  ];
  for (const orderBy of orderings) {
    const label = orderBy ? `${orderBy.field} ${orderBy.direction}` : "the default order";
    const whole = await everything(store, group, orderBy);
    same(
      ids(whole),
      ids(sorted(created, orderBy ?? { field: "createdAt", direction: "asc" })),
      `one page ordered by ${label}`,
    );
    for (const limit of [1, 4, 23]) {
      const walked = ids(await walk(store, group, orderBy, limit));
      const unique = new Set(walked);
      ok(
        unique.size === walked.length,
        `paging by ${label} with limit ${limit} returned a record twice (ties must be broken by id in the cursor)`,
      );
      same(
        walked,
        ids(whole),
        `paging by ${label} with limit ${limit} must return every record once, in the order of one big page (keyset on (field, id))`,
      );
    }
  }
}

async function paginatesWhileWriting(store: RecordStore): Promise<void> {
  const group = newGroup();
  const id = (s: string) => `${group}-${s}`;
  const ranks = [10, 20, 30, 30, 40, 50, 60, 70];
  const existing: string[] = [];
  for (const [i, rank] of ranks.entries()) {
    existing.push((await store.create(item, { ...data(group, { rank }), id: id(`p${i}`) })).id);
  }
  const before = new Set<string>();
  const after = new Set<string>();
  const insert = async (s: string, rank: number, side: Set<string>) => {
    side.add((await store.create(item, { ...data(group, { rank }), id: id(s) })).id);
  };
  const walked = await walk(
    store,
    group,
    { field: "rank", direction: "asc" },
    3,
    async (page, index) => {
      const last = page.at(-1);
      if (index === 0) {
        same(ids(page), [id("p0"), id("p1"), id("p2")], "first page");
        await insert("b5", 5, before); // sorts before the cursor
        await insert("p1z", 30, before); // same rank as the cursor record, smaller id
        await insert("p2z", 30, after); // same rank as the cursor record, larger id
        await insert("a55", 55, after);
        await insert("a99", 1000, after);
        same(await store.delete(item, id("p2")), true, "delete the record the cursor points at");
      } else if (index === 1 && last !== undefined) {
        await insert("b25", 25, before);
        await insert(`q${last.rank}`, last.rank, after); // same rank as the cursor record, larger id
        await insert("a65", 65, after);
      }
    },
  );
  const seen = ids(walked);
  ok(
    new Set(seen).size === seen.length,
    `a record was returned twice while paging with inserts: ${preview(seen)}`,
  );
  for (const e of existing)
    ok(seen.includes(e), `record ${e}, present before paging began, was skipped`);
  for (const a of after)
    ok(seen.includes(a), `record ${a}, inserted after the cursor position, was not returned`);
  for (const b of before)
    ok(!seen.includes(b), `record ${b}, inserted before the cursor position, was returned`);
  same(
    seen,
    ids(sorted(walked, { field: "rank", direction: "asc" })),
    "records paged while writing are still in order",
  );
}

async function boundsLimit(store: RecordStore): Promise<void> {
  const group = newGroup();
  await Promise.all(
    Array.from({ length: 51 }, (_, i) => store.create(item, data(group, { rank: i }))),
  );
  const first = await resolves(
    () => store.findMany(item, { where: { group } }),
    "findMany without limit",
  );
  same(first.items.length, 50, "the default limit is 50");
  ok(first.nextCursor !== null, "a default-limit page with more matches must have a nextCursor");
  const rest = await store.findMany(item, { where: { group }, cursor: first.nextCursor });
  same([rest.items.length, rest.nextCursor], [1, null], "the page after the default limit");
  same((await store.findMany(item, { where: { group }, limit: 1 })).items.length, 1, "limit 1");
  same(
    (await resolves(() => store.findMany(item, { where: { group }, limit: 1000 }), "limit 1000"))
      .items.length,
    51,
    "limit 1000 is allowed",
  );
  for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
    await rejectsWith(
      "store_invalid",
      () => store.findMany(item, { where: { group }, limit }),
      `findMany with limit ${limit}`,
    );
  }
  await rejectsWith(
    "store_invalid",
    () => store.findMany(item, { where: { group }, limit: "10" as never }),
    'findMany with limit "10"',
  );
  const empty = await store.findMany(item, { where: { group: newGroup() } });
  same([empty.items, empty.nextCursor], [[], null], "a query matching nothing");
}

async function rejectsForeignCursor(store: RecordStore): Promise<void> {
  const group = newGroup();
  await Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      store.create(item, data(group, { rank: i, name: `n${i}` })),
    ),
  );
  const page = await store.findMany(item, {
    where: { group },
    orderBy: { field: "rank", direction: "asc" },
    limit: 2,
  });
  const cursor = page.nextCursor;
  ok(cursor !== null, "a first page of 2 of 4 must have a nextCursor");
  await resolves(
    () =>
      store.findMany(item, {
        where: { group },
        orderBy: { field: "rank", direction: "asc" },
        limit: 2,
        cursor,
      }),
    "findMany with the cursor of the same ordering",
  );
  const foreign: [string, OrderBy | undefined][] = [
    ["rank desc", { field: "rank", direction: "desc" }],
    ["name asc", { field: "name", direction: "asc" }],
    ["the default order", undefined],
  ];
  for (const [label, orderBy] of foreign) {
    await rejectsWith(
      "store_invalid",
      () =>
        store.findMany(item, {
          where: { group },
          ...(orderBy ? { orderBy } : {}),
          limit: 2,
          cursor,
        }),
      `findMany ordered by ${label} with a cursor from rank asc`,
    );
  }
}

async function versionedUpdateHasOneWinner(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created = await store.create(item, data(group, { rank: -1 }));
  const racers = 20;
  const outcomes = await together(racers, (i) =>
    store.update(item, created.id, { rank: i }, { expectedVersion: 1 }),
  );
  const winners = tally(outcomes, "store_conflict", "concurrent update with expectedVersion 1");
  same(
    winners.length,
    1,
    `${racers} concurrent updates with expectedVersion 1: number that resolved (the rest must reject store_conflict)`,
  );
  const final = await store.findOne(item, { id: created.id });
  same(
    [final?.version, final?.rank],
    [2, winners[0]?.rank],
    "the stored record is the single winner's, at version 2",
  );
}

async function updatesBumpVersionUnderConcurrency(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created = await store.create(item, data(group));
  const racers = 20;
  const results = tally(
    await together(racers, (i) => store.update(item, created.id, { rank: i })),
    undefined,
    "concurrent update",
  );
  same(
    results.map((r) => r.version).sort((a, b) => a - b),
    Array.from({ length: racers }, (_, i) => i + 2),
    `${racers} concurrent updates without expectedVersion: each must resolve a distinct version (bump version atomically, not read-modify-write)`,
  );
  same((await store.findOne(item, { id: created.id }))?.version, racers + 1, "final version");
}

async function uniqueCreateHasOneWinner(store: RecordStore): Promise<void> {
  const group = newGroup();
  const email = `race-${token()}@example.test`;
  const racers = 20;
  const outcomes = await together(racers, (i) =>
    store.create(item, data(group, { email, rank: i })),
  );
  same(
    tally(outcomes, "store_duplicate", "concurrent create with one unique value").length,
    1,
    `${racers} concurrent creates with the same unique value: number that resolved (the rest must reject store_duplicate)`,
  );
  same((await everything(store, group)).length, 1, "records written by the race");
}

async function enforcesUniqueFields(store: RecordStore): Promise<void> {
  const group = newGroup();
  const email = `u-${token()}@example.test`;
  const a = await store.create(item, data(group, { name: "a", email }));
  await rejectsWith(
    "store_duplicate",
    () => store.create(item, data(group, { name: "dup", email })),
    "create with a unique value in use",
  );
  same(ids(await everything(store, group)), [a.id], "a refused create must write nothing");
  const b = await store.create(item, data(group, { name: "b", email: email.toUpperCase() }));
  same(b.email, email.toUpperCase(), "unique values are compared case-sensitively");
  await rejectsWith(
    "store_duplicate",
    () => store.update(item, b.id, { email, name: "changed" }),
    "update to a unique value in use",
  );
  same(await store.findOne(item, { id: b.id }), b, "a refused update must change nothing");
  const n1 = await resolves(
    () => store.create(item, data(group, { name: "n1", email: null })),
    "create with a null unique field",
  );
  const n2 = await resolves(
    () => store.create(item, data(group, { name: "n2" })),
    "a second create with a null (omitted) unique field",
  );
  await resolves(
    () => store.update(item, a.id, { email: null }),
    "update of a unique field to null while others are null",
  );
  same(
    (await everything(store, group)).filter((r) => r.email === null).length,
    3,
    "several records may hold null in a unique field",
  );
  await resolves(
    () => store.update(item, n1.id, { email }),
    "reuse of a unique value freed by an update",
  );
  same(await store.delete(item, n1.id), true, "delete");
  await resolves(
    () => store.update(item, n2.id, { email }),
    "reuse of a unique value freed by a delete",
  );
  await resolves(
    () => store.update(item, n2.id, { email, name: "same" }),
    "update that keeps its own unique value",
  );
}

// ---- createMany (optional) ----

type CreateMany = (
  rows: readonly RecordInputWithId<Item>[],
) => Promise<{ readonly inserted: number }>;

/**
 * The store's `createMany`, or `undefined` when it has none (the method is
 * optional, and the createMany checks then pass without writing). A
 * `createMany` that is present must be a function.
 */
function createManyOf(store: RecordStore): CreateMany | undefined {
  const method = (store as { createMany?: unknown }).createMany;
  if (method === undefined) return undefined;
  ok(typeof method === "function", `createMany must be a method or absent, got ${preview(method)}`);
  return (rows) =>
    resolves(() => store.createMany!(item, rows), `createMany of ${rows.length} rows`);
}

function checkInserted(result: { readonly inserted: number }, expected: number, what: string) {
  ok(
    typeof result === "object" && result !== null,
    `${what}: createMany must resolve { inserted }, got ${preview(result)}`,
  );
  same(result.inserted, expected, `${what}: inserted`);
}

/** A record as a plain object without its meta fields, for comparing values. */
function fieldsOf(record: ItemRecord): Record<string, unknown> {
  const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = record;
  return fields;
}

const ALL_NULL = { score: null, active: null, email: null, note: null, data: null };

async function createManyInsertsAll(store: RecordStore): Promise<void> {
  const createMany = createManyOf(store);
  if (createMany === undefined) return;
  const group = newGroup();
  const rows: RecordInputWithId<Item>[] = [
    { ...data(group, { name: "😀 first", rank: 0, at: T0, score: 0.1 + 0.2, active: true }) },
    {
      ...data(group, {
        name: "second",
        rank: 1,
        at: 0,
        email: `m-${token()}@example.test`,
        data: { nested: [1, "two", null, { three: true }] },
      }),
    },
    { ...data(group, { name: "", rank: Number.MAX_SAFE_INTEGER, at: T0 + 5, active: false }) },
    { ...data(group, { name: "nulls", rank: -5, at: T0, note: null, score: null }) },
    { ...data(group, { name: "json scalar", rank: 7, at: T0, data: "a string", note: "n" }) },
  ].map((row, i) => ({ ...row, id: `${group}-${i}` }));
  checkInserted(await createMany(rows), rows.length, "createMany of new rows");
  const found = await everything(store, group);
  same(
    [...ids(found)].sort(),
    ids(rows).sort(),
    "createMany writes every row, under the id it gives",
  );
  for (const record of found) {
    checkMeta(record, `record ${record.id} of createMany`);
    same(record.version, 1, `version of record ${record.id} of createMany`);
    same(
      record.updatedAt,
      record.createdAt,
      `record ${record.id} of createMany: updatedAt equals createdAt`,
    );
  }
  for (const row of rows) {
    const { id, ...input } = row;
    const record = await resolves(() => store.findOne(item, { id }), `findOne of ${id}`);
    ok(record !== undefined, `record ${id} of createMany is not found by findOne`);
    same(
      fieldsOf(record),
      { ...ALL_NULL, ...input },
      `createMany round-trips the values of ${id} (optional fields left out are null)`,
    );
  }
  same(
    ids(await everything(store, group, { field: "rank", direction: "asc" })),
    ids(sorted(found, { field: "rank", direction: "asc" })),
    "records of createMany order like any others",
  );
  checkInserted(await createMany([]), 0, "createMany of no rows");
}

async function createManySkipsExisting(store: RecordStore): Promise<void> {
  const createMany = createManyOf(store);
  if (createMany === undefined) return;
  const group = newGroup();
  const id = (s: string) => `${group}-${s}`;
  const taken = `taken-${token()}@example.test`;
  const fresh = `fresh-${token()}@example.test`;
  const existing = await store.create(item, {
    ...data(group, { name: "existing", email: taken }),
    id: id("a"),
  });
  const rows: RecordInputWithId<Item>[] = [
    { ...data(group, { name: "replayed", rank: 1 }), id: id("a") }, // id taken: skipped
    { ...data(group, { name: "unique taken", rank: 2, email: taken }), id: id("b") }, // skipped
    { ...data(group, { name: "c", rank: 3 }), id: id("c") },
    { ...data(group, { name: "c again", rank: 4 }), id: id("c") }, // earlier in the batch: skipped
    { ...data(group, { name: "d", rank: 5, email: fresh }), id: id("d") },
    { ...data(group, { name: "d's email", rank: 6, email: fresh }), id: id("e") }, // skipped
    { ...data(group, { name: "f", rank: 7 }), id: id("f") },
  ];
  checkInserted(
    await createMany(rows),
    3,
    "createMany skipping a taken id, a taken unique value, and both repeated within the batch",
  );
  same(
    await store.findOne(item, { id: id("a") }),
    existing,
    "a row whose id exists is skipped: the stored record is unchanged",
  );
  const byName = (await everything(store, group, { field: "rank", direction: "asc" })).map((r) => [
    r.id,
    r.name,
  ]);
  same(
    byName,
    [
      [id("a"), "existing"],
      [id("c"), "c"],
      [id("d"), "d"],
      [id("f"), "f"],
    ],
    "the records after createMany: the first row of each id and unique value wins",
  );
  const before = await everything(store, group);
  checkInserted(await createMany(rows), 0, "createMany of the same batch again (a replay)");
  same(await everything(store, group), before, "a replayed batch changes nothing");
}

async function createManyIsAtomic(store: RecordStore): Promise<void> {
  const createMany = createManyOf(store);
  if (createMany === undefined) return;
  const group = newGroup();
  const good = (i: number): RecordInputWithId<Item> => ({
    ...data(group, { rank: i }),
    id: `${group}-${i}`,
  });
  const many = (bad: Record<string, unknown>, at: number, length = 10) =>
    Array.from({ length }, (_, i) => (i === at ? bad : good(i))) as RecordInputWithId<Item>[];
  const cases: [string, RecordInputWithId<Item>[]][] = [
    ["a wrongly typed last row", many({ ...good(9), rank: "9" }, 9)],
    ["a first row with an unknown field", many({ ...good(0), color: "red" }, 0)],
    ["a row without id", many({ ...data(group, { rank: 5 }) }, 5)],
    ["a row with an invalid id", many({ ...good(5), id: "has space" }, 5)],
    ["a row missing a required field", many({ group, name: "n", id: `${group}-x` }, 3)],
    ["a null row", many(null as never, 4)],
    ["a bad row after 6000 good ones", many({ ...good(6000), at: 1.5 }, 6000, 6001)],
  ];
  for (const [what, rows] of cases) {
    await rejectsWith(
      "store_invalid",
      () => store.createMany!(item, rows),
      `createMany with ${what}`,
    );
    same(await everything(store, group), [], `createMany with ${what} must write nothing`);
  }
  await rejectsWith(
    "store_invalid",
    () => store.createMany!(item, "rows" as never),
    "createMany of a non-array",
  );
}

/** More rows than one SQL statement can bind for this model (PostgreSQL 65535 parameters, SQLite 32766). */
const LARGE_BATCH = 6000;

async function createManyLargeBatch(store: RecordStore): Promise<void> {
  const createMany = createManyOf(store);
  if (createMany === undefined) return;
  const group = newGroup();
  const id = (i: number) => `${group}-${String(i).padStart(5, "0")}`;
  const rows: RecordInputWithId<Item>[] = Array.from({ length: LARGE_BATCH }, (_, i) => ({
    ...data(group, {
      name: `n${i}`,
      rank: i,
      at: T0 + i,
      ...(i % 3 === 0 ? { score: i / 4 } : {}),
      ...(i % 500 === 0 ? { email: `big-${i}-${token()}@example.test` } : {}),
    }),
    id: id(i),
  }));
  // Already present, at the start and far into the batch (past a first statement's rows).
  for (const i of [0, 4321, 5999]) await store.create(item, rows[i]!);
  checkInserted(
    await createMany([...rows, { ...data(group, { name: "repeat" }), id: id(3) }]),
    LARGE_BATCH - 3,
    `createMany of ${LARGE_BATCH + 1} rows, 3 already stored and 1 repeated`,
  );
  const walked = await walk(store, group, { field: "rank", direction: "asc" }, 1000);
  same(walked.length, LARGE_BATCH, `records after createMany of ${LARGE_BATCH} rows`);
  for (const [i, record] of walked.entries()) {
    const expected = rows[i]!;
    if (
      record.id !== expected.id ||
      record.name !== expected.name ||
      record.rank !== i ||
      record.at !== expected.at ||
      record.score !== (expected.score ?? null) ||
      record.email !== (expected.email ?? null)
    ) {
      fail(
        `record ${i} of a large createMany: expected ${preview({ ...ALL_NULL, ...expected })}, got ${preview(record)}`,
      );
    }
  }
}

async function createManyFallbackOverCreate(store: RecordStore): Promise<void> {
  const group = newGroup();
  const id = (s: string) => `${group}-${s}`;
  const email = `fb-${token()}@example.test`;
  await store.create(item, { ...data(group, { name: "existing", email }), id: id("a") });
  const rows: RecordInputWithId<Item>[] = [
    { ...data(group, { name: "b", rank: 1 }), id: id("b") },
    { ...data(group, { name: "a again", rank: 2 }), id: id("a") },
    { ...data(group, { name: "email taken", rank: 3, email }), id: id("c") },
    { ...data(group, { name: "d", rank: 4 }), id: id("d") },
  ];
  await rejectsWith(
    "store_invalid",
    () => createManyFallback(store, item, [...rows, { ...data(group), rank: "x" } as never]),
    "createManyFallback with an invalid last row",
  );
  same(ids(await everything(store, group)), [id("a")], "an invalid batch writes nothing");
  const result = await resolves(
    () => createManyFallback(store, item, rows),
    "createManyFallback over create",
  );
  same(result, { inserted: 2 }, "createManyFallback skips the taken id and unique value");
  same(
    ids(await everything(store, group, { field: "rank", direction: "asc" })),
    [id("a"), id("b"), id("d")],
    "records after createManyFallback",
  );
}

// ---- range ----

/** Records of `group` with ranks 0..11, times, scores (null for every fourth) and flags. */
async function createRangeRows(store: RecordStore, group: string): Promise<ItemRecord[]> {
  const created: ItemRecord[] = [];
  for (let rank = 0; rank < 12; rank++) {
    created.push(
      await store.create(item, {
        ...data(group, {
          name: `r${rank}`,
          rank: rank - 3,
          at: T0 + (rank % 5) * 1000,
          score: rank % 4 === 3 ? null : rank * 0.5 - 1,
          active: rank % 2 === 0,
        }),
        id: `${group}-${String(rank).padStart(2, "0")}`,
      }),
    );
  }
  return created;
}

/** The records of `records` within `range`, the way the contract defines it. */
function within(records: readonly ItemRecord[], range: Range): ItemRecord[] {
  return records.filter((r) => {
    const v = r[range.field as keyof ItemRecord];
    return (
      typeof v === "number" &&
      (range.gte === undefined || v >= range.gte) &&
      (range.gt === undefined || v > range.gt) &&
      (range.lte === undefined || v <= range.lte) &&
      (range.lt === undefined || v < range.lt)
    );
  });
}

async function filtersByRange(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created = await createRangeRows(store, group);
  const byRank: OrderBy = { field: "rank", direction: "asc" };
  const match = async (range: Range, where: Record<string, unknown> = {}) => {
    const page = await resolves(
      () =>
        store.findMany(item, { where: { group, ...where }, range, orderBy: byRank, limit: 1000 }),
      `findMany with range ${preview(range)}`,
    );
    same(page.nextCursor, null, `nextCursor of a page holding every record in ${preview(range)}`);
    return ids(page.items);
  };
  const expected = (range: Range, records: readonly ItemRecord[] = created) =>
    ids(sorted(within(records, range), byRank));
  const ranges: [string, Range][] = [
    ["gte on an integer", { field: "rank", gte: 2 }],
    ["gt on an integer", { field: "rank", gt: 2 }],
    ["lte on an integer", { field: "rank", lte: 2 }],
    ["lt on an integer", { field: "rank", lt: 2 }],
    ["gte and lt on an integer", { field: "rank", gte: -1, lt: 4 }],
    ["gt and lte on an integer, negative bounds", { field: "rank", gt: -3, lte: -1 }],
    ["all four bounds", { field: "rank", gte: 0, gt: 0, lte: 5, lt: 5 }],
    ["a one-value range (gte = lte)", { field: "rank", gte: 4, lte: 4 }],
    ["a timestamp", { field: "at", gte: T0 + 1000, lt: T0 + 3000 }],
    ["a timestamp, upper bound only (due before)", { field: "at", lte: T0 + 2000 }],
    ["a number field (nulls never match)", { field: "score", gt: 0.25, lte: 3.5 }],
    ["a number field, fractional bound", { field: "score", lt: 0.75 }],
    ["no bound: every non-null value", { field: "score" }],
  ];
  for (const [what, range] of ranges) {
    same(await match(range), expected(range), `range ${what}: ${preview(range)}`);
  }
  const active = created.filter((r) => r.active === true);
  same(
    await match({ field: "rank", gte: 1 }, { active: true }),
    expected({ field: "rank", gte: 1 }, active),
    "range combined with an equality filter (AND)",
  );
  same(
    await match({ field: "rank", gte: 5 }, { rank: 3 }),
    [],
    "range and an equality filter on the same field that exclude each other",
  );
  same(
    await match({ field: "rank", gte: 0 }, { rank: 3 }),
    ids(created.filter((r) => r.rank === 3)),
    "range and an equality filter on the same field",
  );
  // Meta fields: bounds taken from the stored values, so the check needs no clock.
  const times = [...new Set(created.map((r) => r.createdAt))].sort((a, b) => a - b);
  const middle = times[Math.floor(times.length / 2)]!;
  for (const field of ["createdAt", "updatedAt"] as const) {
    for (const range of [
      { field, gte: middle },
      { field, lt: middle },
      { field, gte: times[0]!, lte: times.at(-1)! },
      { field, gt: times.at(-1)! },
    ] as Range[]) {
      same(await match(range), expected(range), `range on ${field}: ${preview(range)}`);
    }
  }
  const dueRange: Range = { field: "at", gte: T0 + 4000 };
  const byDefault = await resolves(
    () => store.findMany(item, { where: { group }, range: dueRange, limit: 1000 }),
    "findMany with a range and the default order",
  );
  same(
    ids(byDefault.items),
    ids(sorted(within(created, dueRange), { field: "createdAt", direction: "asc" })),
    "range with the default order (createdAt asc)",
  );
}

async function paginatesWithinRange(store: RecordStore): Promise<void> {
  const group = newGroup();
  const created: ItemRecord[] = [];
  for (let i = 0; i < 30; i++) {
    created.push(
      await store.create(item, {
        ...data(group, { name: `p${i % 4}`, rank: i % 6, at: T0 + (i % 7) * 1000 }),
        id: `${group}-${String(i).padStart(2, "0")}`,
      }),
    );
  }
  const cases: [Range, OrderBy][] = [
    [
      { field: "at", gte: T0 + 1000, lt: T0 + 6000 },
      { field: "at", direction: "desc" },
    ],
    [
      { field: "at", gt: T0, lte: T0 + 5000 },
      { field: "at", direction: "asc" },
    ],
    [
      { field: "rank", gte: 1, lte: 4 },
      { field: "rank", direction: "desc" },
    ],
    [
      { field: "at", lt: T0 + 4000 },
      { field: "name", direction: "asc" },
    ],
    [
      { field: "rank", gt: 0 },
      { field: "id", direction: "desc" },
    ],
  ];
  for (const [range, orderBy] of cases) {
    const expected = ids(sorted(within(created, range), orderBy));
    ok(expected.length > 4, "the paging case must span several pages");
    for (const limit of [1, 4, 7]) {
      same(
        ids(await walk(store, group, orderBy, limit, undefined, range)),
        expected,
        `paging by ${orderBy.field} ${orderBy.direction} (limit ${limit}) within ${preview(range)}: every record in the range once, in order`,
      );
    }
  }
}

async function rangesCanBeEmpty(store: RecordStore): Promise<void> {
  const group = newGroup();
  await createRangeRows(store, group);
  const empty: Range[] = [
    { field: "rank", gt: 2, lt: 2 },
    { field: "rank", gte: 3, lte: 2 },
    { field: "rank", gt: 2, lte: 2 },
    { field: "rank", gte: 2, lt: 2 },
    { field: "rank", gte: Number.MAX_SAFE_INTEGER },
    { field: "at", lt: T0 },
    { field: "score", gt: 1e300 },
    { field: "createdAt", lt: 0 },
  ];
  for (const range of empty) {
    const page = await resolves(
      () => store.findMany(item, { where: { group }, range, limit: 10 }),
      `findMany with the empty range ${preview(range)}`,
    );
    same([page.items, page.nextCursor], [[], null], `a range matching nothing: ${preview(range)}`);
  }
  const page = await store.findMany(item, {
    where: { group: newGroup() },
    range: { field: "rank", gte: 0 },
  });
  same([page.items, page.nextCursor], [[], null], "a range over a filter matching nothing");
}

async function rejectsInvalidRange(store: RecordStore): Promise<void> {
  const group = newGroup();
  await store.create(item, data(group));
  const bad: Record<string, unknown> = {
    "an unknown field": { field: "color", gte: 1 },
    "a string field": { field: "name", gte: 1 },
    "a boolean field": { field: "active", gte: 0 },
    "a json field": { field: "data", gte: 1 },
    "the id": { field: "id", gte: 1 },
    "no field": { gte: 1 },
    "a string bound": { field: "rank", gte: "1" },
    "a fractional bound on an integer field": { field: "rank", lt: 1.5 },
    "a fractional bound on a timestamp": { field: "at", gt: T0 + 0.5 },
    "a fractional bound on createdAt": { field: "createdAt", gt: 0.5 },
    "an unsafe integer bound": { field: "rank", lte: Number.MAX_SAFE_INTEGER + 2 },
    "a NaN bound": { field: "score", gte: Number.NaN },
    "an infinite bound": { field: "score", lt: Number.POSITIVE_INFINITY },
    "a Date bound": { field: "at", gte: new Date(T0) },
    "a null bound": { field: "rank", gte: null },
    "an unknown bound": { field: "rank", from: 1 },
    "a string instead of an object": "rank",
    null: null,
  };
  for (const [what, range] of Object.entries(bad)) {
    await rejectsWith(
      "store_invalid",
      () => store.findMany(item, { where: { group }, range } as never),
      `findMany with a range on ${what}`,
    );
  }
  await resolves(
    () => store.findMany(item, { where: { group }, range: { field: "score", gte: 0.5 } }),
    "findMany with a fractional bound on a number field",
  );
}

async function unavailable(store: RecordStore, options?: UnavailableCheckOptions): Promise<void> {
  const deadline = options?.deadlineMs ?? 5000;
  const group = newGroup();
  const id = `missing-${token()}`;
  await Promise.all([
    unavailableWithin(
      () => store.create(item, data(group)),
      deadline,
      "create on an unreachable backend",
    ),
    unavailableWithin(
      () => store.findOne(item, { id }),
      deadline,
      "findOne on an unreachable backend",
    ),
    unavailableWithin(
      () => store.findMany(item, { where: { group } }),
      deadline,
      "findMany on an unreachable backend",
    ),
    unavailableWithin(
      () => store.update(item, id, { name: "x" }, { expectedVersion: 1 }),
      deadline,
      "update on an unreachable backend",
    ),
    unavailableWithin(() => store.delete(item, id), deadline, "delete on an unreachable backend"),
    ...(store.createMany === undefined
      ? []
      : [
          unavailableWithin(
            () => store.createMany!(item, [{ ...data(group), id }]),
            deadline,
            "createMany on an unreachable backend",
          ),
        ]),
  ]);
}

/**
 * The individual checks of {@link runRecordStoreTests}, as plain async
 * functions over a store serving {@link conformanceModels}: each resolves
 * when the store conforms and throws an `AssertionError` naming the broken
 * rule when it does not. Each check writes under its own random `group`.
 *
 * @example
 * ```ts
 * import { conformanceModels, recordChecks } from "@gatehouse/adapter-tests";
 *
 * const store = await createMyStore(conformanceModels);
 * await recordChecks.versionedUpdateHasOneWinner(store);
 * ```
 */
export const recordChecks = Object.freeze({
  /** create sets id, version 1, createdAt and updatedAt, and resolves every field (null when omitted). */
  createSetsMetadata,
  /** An explicit id is kept exactly; reusing it rejects `store_duplicate`. */
  createHonoursExplicitId,
  /** findOne by id, by fields, by both; `undefined` when nothing matches. */
  findsOne,
  /** update bumps version and updatedAt, keeps createdAt and untouched fields, honours expectedVersion. */
  updatesFields,
  /** update of a missing id rejects `store_not_found` and creates nothing. */
  updateOfMissingIsNotFound,
  /** delete resolves whether the record existed; it is then gone. */
  deletesRecords,
  /** Two models never see each other's ids or unique values. */
  modelsAreIsolated,
  /** Unicode strings, safe-integer extremes, floats, booleans and nulls round-trip, as numbers. */
  roundTripsFieldValues,
  /** json fields round-trip nested objects, arrays and scalars, through create and update. */
  roundTripsJson,
  /** create with an unknown field, a missing required field or a wrong type rejects `store_invalid`, writing nothing. */
  rejectsInvalidCreate,
  /** update with an unknown, meta or wrongly typed field rejects `store_invalid`, changing nothing. */
  rejectsInvalidUpdate,
  /** Filters and orderings on unknown, json or optional fields, and malformed cursors, reject `store_invalid`. */
  rejectsInvalidQueries,
  /** Equality filters: one field, several (AND), null matching null, false distinct from null. */
  filtersByEquality,
  /** Ordering asc/desc on a string, an integer, a timestamp and id, ties broken by id, code-unit collation. */
  ordersByField,
  /** Paging through many equal sort values returns every record once, in the order of one big page. */
  paginatesWithTies,
  /** Inserts and deletes while paging: records after the cursor appear once, before do not, none skipped. */
  paginatesWhileWriting,
  /** limit defaults to 50, accepts 1..1000, rejects 0, 1001 and non-integers with `store_invalid`. */
  boundsLimit,
  /** A cursor used with another ordering rejects `store_invalid`. */
  rejectsForeignCursor,
  /** 20 concurrent updates with expectedVersion 1: exactly one resolves, the rest reject `store_conflict`. */
  versionedUpdateHasOneWinner,
  /** 20 concurrent unconditional updates resolve versions 2..21, each once. */
  updatesBumpVersionUnderConcurrency,
  /** 20 concurrent creates with one unique value: exactly one resolves, the rest reject `store_duplicate`. */
  uniqueCreateHasOneWinner,
  /** Unique fields reject duplicates on create and update, allow many nulls, and free values on change or delete. */
  enforcesUniqueFields,
  /** createMany (when present) writes every row under its id, values round-trip, meta fields set; `[]` inserts 0. */
  createManyInsertsAll,
  /** createMany skips rows whose id or unique value is taken (stored or earlier in the batch); a replay inserts 0. */
  createManySkipsExisting,
  /** createMany with one invalid row (anywhere, even after 6000 good ones) rejects `store_invalid` and writes nothing. */
  createManyIsAtomic,
  /** createMany of 6001 rows (more than one SQL statement binds), some present, writes the rest exactly once. */
  createManyLargeBatch,
  /** core's `createManyFallback` over the adapter's `create` validates first and skips taken ids and unique values. */
  createManyFallbackOverCreate,
  /** findMany `range`: each bound and combinations on integer, timestamp, number and meta fields; nulls never match; AND with `where`. */
  filtersByRange,
  /** Paging by cursor within a range, ordered by the ranged field (asc and desc) or another field, returns every record once. */
  paginatesWithinRange,
  /** Contradictory or out-of-data ranges resolve an empty page with no cursor. */
  rangesCanBeEmpty,
  /** A range on a non-numeric or unknown field, with a wrongly typed bound or an unknown key, rejects `store_invalid`. */
  rejectsInvalidRange,
  /** Every method of a store whose backend is unreachable (createMany too, when present) rejects `store_unavailable` (503) within the deadline. */
  unavailable,
});
