import {
  compareValues,
  type FindManyOptions,
  type JsonValue,
  type RecordInput,
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

/** Walks every page of `group` with `limit`, checking page shapes; `between` runs after each page. */
async function walk(
  store: RecordStore,
  group: string,
  orderBy: OrderBy | undefined,
  limit: number,
  between?: (page: readonly ItemRecord[], index: number) => Promise<void>,
): Promise<ItemRecord[]> {
  const seen: ItemRecord[] = [];
  const seenIds = new Set<string>();
  let cursor: string | undefined;
  for (let index = 0; index < 10_000; index++) {
    const options: FindManyOptions<Item> = {
      where: { group },
      limit,
      ...(orderBy ? { orderBy } : {}),
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
  /** Every method of a store whose backend is unreachable rejects `store_unavailable` (503) within the deadline. */
  unavailable,
});
