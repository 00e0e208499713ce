import {
  type JsonValue,
  type KeyValueStore,
  MAX_VALUE_BYTES,
  namespaced,
} from "@gatehouse/core/store";
import {
  fail,
  keyPrefix,
  ok,
  rejectsWith,
  resolves,
  same,
  sleepUntil,
  tally,
  together,
  token,
  unavailableWithin,
} from "./internal.js";

/** Options of the {@link keyValueChecks} that wait for keys to expire. */
export interface KeyValueCheckOptions {
  /**
   * The TTL the expiry checks use, in milliseconds. They wait about twice
   * this long, so keep it short; raise it for a backend with coarse expiry.
   * @default 250
   */
  ttlMs?: number;
}

/** Options of the `unavailable` checks. */
export interface UnavailableCheckOptions {
  /** Each operation must reject with `store_unavailable` within this many ms. @default 5000 */
  deadlineMs?: number;
}

/** A check of {@link keyValueChecks}: resolves when `store` conforms, throws an `AssertionError` when not. */
export type KeyValueCheck = (store: KeyValueStore, options?: KeyValueCheckOptions) => Promise<void>;

/** Concurrent callers in the race checks. */
const RACERS = 100;

const DEFAULT_TTL_MS = 250;

function ttlOf(options: KeyValueCheckOptions | undefined): number {
  const ttl = options?.ttlMs ?? DEFAULT_TTL_MS;
  if (!Number.isInteger(ttl) || ttl < 10) fail(`ttlMs must be an integer >= 10, got ${ttl}`);
  return ttl;
}

/** Values every store must round-trip exactly (JSON-equal). */
const ROUND_TRIP_VALUES: Readonly<Record<string, JsonValue>> = {
  ascii: "hello",
  empty: "",
  emoji: "😀 👩‍👩‍👧‍👦 🇺🇦 ❤️",
  rtl: "مرحبا بالعالم — שלום עולם",
  controlChars: "\u0001\u0002\t\n\r\u000b\u000c\u001b\u001f\u007f\u0085",
  surrogatePairs: "𝄞 𠜎 𝟘 \ud83d\ude00",
  lineSeparators: "a\u2028b\u2029c",
  combining: "e\u0301 n\u0303 \ufeffbom",
  quotes: "\"'`\\ $" + "{x} %s %d ?",
  sqlLike: "'; DROP TABLE kv; --",
  numericString: "123",
  booleanString: "true",
  nullString: "null",
  zero: 0,
  one: 1,
  negative: -42,
  float: Math.PI,
  negativeFloat: -2.5,
  tinyFloat: 1e-7,
  inexactSum: 0.1 + 0.2,
  maxSafe: Number.MAX_SAFE_INTEGER,
  minSafe: Number.MIN_SAFE_INTEGER,
  true: true,
  false: false,
  null: null,
  emptyArray: [],
  emptyObject: {},
  array: [1, "two", null, true, { three: [3] }, [], -0.5],
  nested: { a: { b: { c: { d: { e: [1, { f: null, g: "😀", h: { i: false } }] } } } } },
  unicodeKeys: { ключ: "значение", "😀": 1, "": "empty key", "a b": [] },
};

/** A value whose serialisation is exactly `bytes` long (UTF-8). */
function valueOfBytes(bytes: number): JsonValue {
  const shell = { emoji: "😀", blob: "" };
  const pad = bytes - Buffer.byteLength(JSON.stringify(shell));
  return { emoji: "😀", blob: "x".repeat(pad) };
}

async function getMissing(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}missing`;
  same(await resolves(() => store.get(key), "get(missing)"), undefined, "get of a missing key");
  same(
    await resolves(() => store.consume(key), "consume(missing)"),
    undefined,
    "consume of a missing key",
  );
  same(
    await resolves(() => store.delete(key), "delete(missing)"),
    false,
    "delete of a missing key",
  );
  same(await store.get(key), undefined, "a missing key stays missing after get/consume/delete");
}

async function setGetDelete(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}k`;
  same(await resolves(() => store.set(key, { a: 1 }), "set"), undefined, "set resolves undefined");
  same(await store.get(key), { a: 1 }, "get after set");
  same(await store.get(key), { a: 1 }, "get does not remove the key");
  await store.set(key, "replaced");
  same(await store.get(key), "replaced", "set replaces the value");
  same(await store.delete(key), true, "delete of a present key");
  same(await store.get(key), undefined, "get after delete");
  same(await store.delete(key), false, "a second delete");
  await store.set(key, 7);
  same(await store.consume(key), 7, "consume returns the value");
  same(await store.consume(key), undefined, "a second consume");
  same(await store.get(key), undefined, "get after consume");
  await store.set(key, null);
  same(await store.get(key), null, "a stored null is returned as null, not as absent");
  same(await store.setIfAbsent(key, 1), false, "setIfAbsent on a key holding null");
  same(await store.consume(key), null, "consume of a stored null");
  same(await store.get(key), undefined, "get after consuming a null");
}

async function setIfAbsent(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}k`;
  same(
    await resolves(() => store.setIfAbsent(key, "first"), "setIfAbsent"),
    true,
    "setIfAbsent on an absent key",
  );
  same(await store.setIfAbsent(key, "second"), false, "setIfAbsent on a present key");
  same(await store.get(key), "first", "a refused setIfAbsent leaves the value");
  await store.delete(key);
  same(await store.setIfAbsent(key, "third"), true, "setIfAbsent after delete");
  same(await store.get(key), "third", "value after setIfAbsent");
}

async function valuesAreCopies(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}k`;
  const written = { list: [1, 2], inner: { n: 1 } };
  await store.set(key, written);
  written.list.push(3);
  written.inner.n = 2;
  const read = await store.get<{ list: number[]; inner: { n: number } }>(key);
  same(
    read,
    { list: [1, 2], inner: { n: 1 } },
    "mutating the object after set changed the stored value",
  );
  read?.list.push(9);
  same(
    await store.get(key),
    { list: [1, 2], inner: { n: 1 } },
    "mutating a value read changed the stored value",
  );
}

async function keysAreDistinct(store: KeyValueStore): Promise<void> {
  const prefix = keyPrefix();
  const keys = [
    `${prefix}key`,
    `${prefix}Key`,
    `${prefix}KEY`,
    `${prefix}key:`,
    `${prefix}key:x`,
    `${prefix}ke`,
    `${prefix}key_`,
    `${prefix}key%`,
    `${prefix}key*`,
    `${prefix}key?`,
    `${prefix}key[1]`,
    `${prefix}key\\`,
    `${prefix}!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`,
    `${prefix}${"k".repeat(512 - prefix.length)}`,
    `${prefix}${"k".repeat(511 - prefix.length)}`,
  ];
  ok(keys.at(-2)?.length === 512, "internal: the long key must be 512 characters");
  await Promise.all(
    keys.map((key, i) =>
      resolves(() => store.set(key, i), `set(${JSON.stringify(key.slice(0, 40))}…)`),
    ),
  );
  const read = await Promise.all(keys.map((key) => store.get(key)));
  same(
    read,
    keys.map((_, i) => i),
    "keys differing in case, punctuation, wildcards or length must be distinct (compare keys byte for byte; no LIKE, no glob, no case folding)",
  );
  same(await store.delete(`${prefix}key`), true, "delete key");
  same(
    await store.get(`${prefix}Key`),
    1,
    "deleting one key leaves a key that differs only in case",
  );
  same(await store.get(`${prefix}key:x`), 4, "deleting one key leaves a key it prefixes");
}

async function roundTripsValues(store: KeyValueStore): Promise<void> {
  const prefix = keyPrefix();
  const entries = Object.entries(ROUND_TRIP_VALUES);
  await Promise.all(
    entries.map(([name, value]) => resolves(() => store.set(prefix + name, value), `set ${name}`)),
  );
  for (const [name, value] of entries) {
    same(await store.get(prefix + name), value, `round-trip of ${name} through set/get`);
  }
  await Promise.all(
    entries.map(([name, value]) =>
      resolves(() => store.setIfAbsent(`${prefix}sia:${name}`, value), `setIfAbsent ${name}`),
    ),
  );
  for (const [name, value] of entries) {
    same(
      await store.consume(`${prefix}sia:${name}`),
      value,
      `round-trip of ${name} through setIfAbsent/consume`,
    );
  }
}

async function roundTripsLargestValue(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}big`;
  const value = valueOfBytes(MAX_VALUE_BYTES);
  ok(Buffer.byteLength(JSON.stringify(value)) === MAX_VALUE_BYTES, "internal: value size");
  await resolves(() => store.set(key, value), `set of a value of exactly ${MAX_VALUE_BYTES} bytes`);
  same(await store.get(key), value, `round-trip of a value of exactly ${MAX_VALUE_BYTES} bytes`);
  same(await store.consume(key), value, "consume of the largest value");
}

async function incrementCounts(store: KeyValueStore): Promise<void> {
  const prefix = keyPrefix();
  const key = `${prefix}n`;
  same(
    await resolves(() => store.increment(key), "increment(absent)"),
    1,
    "increment of an absent key starts from 0",
  );
  same(await store.increment(key), 2, "second increment");
  same(await store.increment(key, { by: 5 }), 7, "increment by 5");
  same(await store.increment(key, { by: -10 }), -3, "increment by a negative step");
  same(await store.increment(key, { by: 0 }), -3, "increment by 0");
  same(await store.get(key), -3, "get of a counter returns a number");
  const other = `${prefix}m`;
  same(await store.increment(other, { by: -4 }), -4, "a negative first increment");
  await store.set(other, 40);
  same(await store.increment(other, { by: 2 }), 42, "increment of an integer written with set");
  same(await store.consume(other), 42, "consume of a counter returns a number");
  same(await store.increment(other), 1, "increment after consume starts again");
  await store.set(other, Number.MAX_SAFE_INTEGER - 1);
  same(await store.increment(other), Number.MAX_SAFE_INTEGER, "increment up to MAX_SAFE_INTEGER");
}

async function incrementRejectsNonIntegers(store: KeyValueStore): Promise<void> {
  const prefix = keyPrefix();
  const held: Record<string, JsonValue> = {
    string: "abc",
    numericString: "5",
    float: 1.5,
    boolean: true,
    null: null,
    object: { n: 1 },
    array: [1],
  };
  for (const [name, value] of Object.entries(held)) {
    const key = prefix + name;
    await store.set(key, value);
    await rejectsWith(
      "store_invalid",
      () => store.increment(key),
      `increment of a key holding ${name} ${JSON.stringify(value)}`,
    );
    same(await store.get(key), value, `a refused increment must leave the ${name} value`);
  }
  const top = `${prefix}top`;
  await store.set(top, Number.MAX_SAFE_INTEGER);
  await rejectsWith(
    "store_invalid",
    () => store.increment(top),
    "increment past Number.MAX_SAFE_INTEGER (the result would not be exact)",
  );
  same(
    await store.get(top),
    Number.MAX_SAFE_INTEGER,
    "a refused (overflowing) increment must leave the value",
  );
  const bottom = `${prefix}bottom`;
  await store.set(bottom, Number.MIN_SAFE_INTEGER);
  await rejectsWith(
    "store_invalid",
    () => store.increment(bottom, { by: -1 }),
    "increment below Number.MIN_SAFE_INTEGER",
  );
  same(
    await store.get(bottom),
    Number.MIN_SAFE_INTEGER,
    "a refused (underflowing) increment must leave the value",
  );
}

async function expiresKeys(store: KeyValueStore, options?: KeyValueCheckOptions): Promise<void> {
  const ttl = ttlOf(options);
  const p = keyPrefix();
  const start = performance.now();
  await Promise.all([
    store.set(`${p}set`, "v", { ttlMs: ttl }),
    store
      .setIfAbsent(`${p}sia`, "v", { ttlMs: ttl })
      .then((won) => ok(won, "setIfAbsent with ttl on an absent key must resolve true")),
    store.increment(`${p}inc`, { by: 3, ttlMs: ttl }),
    store.set(`${p}keep`, "v", { ttlMs: ttl }).then(() => store.set(`${p}keep`, "kept")),
    store.set(`${p}forever`, "v"),
    store
      .set(`${p}reexpire`, "v", { ttlMs: 3_600_000 })
      .then(() => store.set(`${p}reexpire`, "w", { ttlMs: ttl })),
  ]);
  const written = performance.now();
  if (written - start < ttl * 0.8) {
    same(await store.get(`${p}set`), "v", "a key set with a ttl is readable before it expires");
    same(
      await store.get(`${p}sia`),
      "v",
      "a key set by setIfAbsent with a ttl is readable before it expires",
    );
    same(await store.get(`${p}inc`), 3, "a counter with a ttl is readable before it expires");
    same(
      await store.setIfAbsent(`${p}set`, "x", { ttlMs: ttl }),
      false,
      "setIfAbsent on a live key with a ttl",
    );
  }
  await sleepUntil(written + ttl * 2);
  same(
    await store.get(`${p}set`),
    undefined,
    `get of a key set with ttlMs ${ttl}, ${ttl * 2} ms later`,
  );
  same(
    await store.get(`${p}sia`),
    undefined,
    `get of a key setIfAbsent with ttlMs ${ttl}, ${ttl * 2} ms later`,
  );
  same(
    await store.get(`${p}inc`),
    undefined,
    `get of a counter created with ttlMs ${ttl}, ${ttl * 2} ms later`,
  );
  same(
    await store.get(`${p}reexpire`),
    undefined,
    "set with a shorter ttl must replace the previous expiry",
  );
  same(await store.get(`${p}keep`), "kept", "set without a ttl must remove the previous expiry");
  same(await store.get(`${p}forever`), "v", "a key set without a ttl must not expire");
  same(await store.consume(`${p}set`), undefined, "consume of an expired key");
  same(await store.delete(`${p}sia`), false, "delete of an expired key resolves false");
  same(
    await store.setIfAbsent(`${p}set`, "again"),
    true,
    "setIfAbsent on an expired key must succeed",
  );
  same(await store.get(`${p}set`), "again", "value after setIfAbsent on an expired key");
  same(await store.increment(`${p}inc`), 1, "increment of an expired counter starts again from 0");
}

async function incrementTtlFixedAtCreation(
  store: KeyValueStore,
  options?: KeyValueCheckOptions,
): Promise<void> {
  const life = ttlOf(options) * 2;
  const key = `${keyPrefix()}window`;
  const start = performance.now();
  same(await store.increment(key, { ttlMs: life }), 1, "first increment with a ttl");
  const created = performance.now();
  await sleepUntil(start + life * 0.5);
  const second = performance.now();
  ok(
    second - created >= life * 0.25,
    `the first increment took ${Math.round(created - start)} ms, too long to time a ${life} ms window; raise ttlMs`,
  );
  same(await store.increment(key, { ttlMs: life }), 2, "a second increment within the window");
  same(await store.increment(key), 3, "a third increment without ttl");
  // The window ends at ~start + life; had the second call extended it, at ~second + life.
  await sleepUntil(created + life + (second + life - (created + life)) / 2);
  same(
    await store.get(key),
    undefined,
    "the counter outlived its ttl: only the increment that creates a key may set its expiry (a later increment must not extend it)",
  );
  same(
    await store.increment(key, { ttlMs: life }),
    1,
    "increment after the window starts a new counter",
  );
}

async function consumeHasOneWinner(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}secret`;
  await store.set(key, { secret: "s3cr3t" });
  const results = tally(
    await together(RACERS, () => store.consume(key)),
    undefined,
    "concurrent consume",
  );
  const winners = results.filter((r) => r !== undefined);
  same(
    winners.length,
    1,
    `${RACERS} concurrent consume calls on one key: number of callers that got the value (consume must be an atomic get-and-delete)`,
  );
  same(winners[0], { secret: "s3cr3t" }, "the winning consume returns the value");
  same(await store.get(key), undefined, "the key is gone after consume");
}

async function incrementSumsUnderConcurrency(store: KeyValueStore): Promise<void> {
  const prefix = keyPrefix();
  for (const by of [1, 7]) {
    const key = `${prefix}by${by}`;
    const returned = tally(
      await together(RACERS, () => store.increment(key, { by, ttlMs: 60_000 })),
      undefined,
      `concurrent increment by ${by}`,
    );
    same(
      await store.get(key),
      RACERS * by,
      `${RACERS} concurrent increments by ${by}: final value (increment must be atomic)`,
    );
    same(
      [...returned].sort((a, b) => a - b),
      Array.from({ length: RACERS }, (_, i) => (i + 1) * by),
      `${RACERS} concurrent increments by ${by}: each call must resolve a distinct intermediate value`,
    );
  }
}

async function setIfAbsentHasOneWinner(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}lock`;
  const won = tally(
    await together(RACERS, (i) => store.setIfAbsent(key, { owner: i })),
    undefined,
    "concurrent setIfAbsent",
  );
  const winners = won.flatMap((w, i) => (w ? [i] : []));
  same(
    winners.length,
    1,
    `${RACERS} concurrent setIfAbsent calls on one key: number that resolved true`,
  );
  same(await store.get(key), { owner: winners[0] }, "the stored value is the winner's");
}

async function deleteHasOneWinner(store: KeyValueStore): Promise<void> {
  const key = `${keyPrefix()}k`;
  await store.set(key, 1);
  const deleted = tally(
    await together(RACERS, () => store.delete(key)),
    undefined,
    "concurrent delete",
  );
  same(
    deleted.filter(Boolean).length,
    1,
    `${RACERS} concurrent delete calls on one key: number that resolved true`,
  );
}

async function namespacesAreIsolated(store: KeyValueStore): Promise<void> {
  const id = token();
  const a = namespaced(store, `ght_${id}_a`);
  const b = namespaced(store, `ght_${id}_b`);
  await a.set("k", "in a");
  await b.set("k", "in b");
  same(await a.get("k"), "in a", "namespace a sees its own value");
  same(await b.get("k"), "in b", "namespace b sees its own value");
  same(
    await store.get(`ght_${id}_a:k`),
    "in a",
    "a namespaced key lives under `namespace:` in the store",
  );
  same(await store.get("k"), undefined, "the bare key is not set by a namespaced write");
  same(await a.consume("k"), "in a", "consume in namespace a");
  same(await b.get("k"), "in b", "consuming in a leaves b");
  same(await a.increment("n", { by: 2 }), 2, "increment in a");
  same(await b.increment("n", { by: 5 }), 5, "increment in b starts from 0");
  same(await a.setIfAbsent("n", 0), false, "setIfAbsent in a sees a's counter");
  same(await b.delete("n"), true, "delete in b");
  same(await a.get("n"), 2, "deleting in b leaves a");
  const p = keyPrefix();
  await store.set(`${p}x`, 1);
  same(
    await store.get(`${keyPrefix()}x`),
    undefined,
    "a key under one prefix is invisible under another",
  );
}

async function rejectsInvalidKeys(store: KeyValueStore): Promise<void> {
  const p = keyPrefix();
  const bad: Record<string, unknown> = {
    empty: "",
    space: `${p}has space`,
    leadingSpace: ` ${p}k`,
    tab: `${p}has\ttab`,
    newline: `${p}has\nnewline`,
    nonAscii: `${p}ключ`,
    emoji: `${p}😀`,
    nul: `${p}nul\u0000`,
    tooLong: `${p}${"k".repeat(513 - p.length)}`,
    number: 42,
    undefined: undefined,
    null: null,
    object: { key: "k" },
  };
  ok((bad.tooLong as string).length === 513, "internal: the long key must be 513 characters");
  for (const [name, key] of Object.entries(bad)) {
    const k = key as string;
    const what = (op: string) => `${op} with a key that is ${name}`;
    await rejectsWith("store_invalid", () => store.get(k), what("get"));
    await rejectsWith("store_invalid", () => store.set(k, "v"), what("set"));
    await rejectsWith("store_invalid", () => store.setIfAbsent(k, "v"), what("setIfAbsent"));
    await rejectsWith("store_invalid", () => store.consume(k), what("consume"));
    await rejectsWith("store_invalid", () => store.increment(k), what("increment"));
    await rejectsWith("store_invalid", () => store.delete(k), what("delete"));
  }
  // The store must not have written the valid-looking part of a refused key.
  same(await store.get(`${p}has`), undefined, "a refused key must not be written truncated");
  same(
    await store.get(`${p}${"k".repeat(512 - p.length)}`),
    undefined,
    "a refused 513-character key must not be written truncated",
  );
}

async function rejectsInvalidTtl(store: KeyValueStore): Promise<void> {
  const p = keyPrefix();
  const bad: Record<string, unknown> = {
    zero: 0,
    negative: -1000,
    float: 1.5,
    NaN: Number.NaN,
    Infinity: Number.POSITIVE_INFINITY,
    overTenYears: 315_360_000_001,
    string: "1000",
    null: null,
  };
  for (const [name, ttlMs] of Object.entries(bad)) {
    const options = { ttlMs: ttlMs as number };
    const key = `${p}${name}`;
    await rejectsWith(
      "store_invalid",
      () => store.set(key, "v", options),
      `set with ttlMs ${name}`,
    );
    await rejectsWith(
      "store_invalid",
      () => store.setIfAbsent(key, "v", options),
      `setIfAbsent with ttlMs ${name}`,
    );
    await rejectsWith(
      "store_invalid",
      () => store.increment(key, options),
      `increment with ttlMs ${name}`,
    );
    same(await store.get(key), undefined, `nothing may be written when ttlMs is ${name}`);
  }
  const held = `${p}held`;
  await store.set(held, "old");
  await rejectsWith(
    "store_invalid",
    () => store.set(held, "new", { ttlMs: 0 }),
    "set over a present key with ttlMs 0",
  );
  same(await store.get(held), "old", "a refused set must leave the previous value");
}

async function rejectsInvalidValues(store: KeyValueStore): Promise<void> {
  const p = keyPrefix();
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const bad: Record<string, unknown> = {
    undefined: undefined,
    NaN: Number.NaN,
    Infinity: Number.POSITIVE_INFINITY,
    function: () => 1,
    symbol: Symbol("s"),
    bigint: 1n,
    nestedNaN: { a: [1, Number.NaN] },
    nestedFunction: { f: () => 1 },
    cycle,
    tooLarge: valueOfBytes(MAX_VALUE_BYTES + 1),
  };
  for (const [name, value] of Object.entries(bad)) {
    const key = `${p}${name}`;
    await rejectsWith(
      "store_invalid",
      () => store.set(key, value as JsonValue),
      `set of a value that is ${name}`,
    );
    await rejectsWith(
      "store_invalid",
      () => store.setIfAbsent(key, value as JsonValue),
      `setIfAbsent of a value that is ${name}`,
    );
    same(await store.get(key), undefined, `nothing may be written for a value that is ${name}`);
  }
  const held = `${p}held`;
  await store.set(held, "old");
  await rejectsWith(
    "store_invalid",
    () => store.set(held, Number.NaN),
    "set of NaN over a present key",
  );
  same(await store.get(held), "old", "a refused set must leave the previous value");
}

async function rejectsInvalidIncrementStep(store: KeyValueStore): Promise<void> {
  const p = keyPrefix();
  const bad: Record<string, unknown> = {
    float: 1.5,
    NaN: Number.NaN,
    Infinity: Number.POSITIVE_INFINITY,
    unsafe: Number.MAX_SAFE_INTEGER + 1,
    string: "1",
    null: null,
  };
  for (const [name, by] of Object.entries(bad)) {
    const key = `${p}${name}`;
    await rejectsWith(
      "store_invalid",
      () => store.increment(key, { by: by as number }),
      `increment by ${name}`,
    );
    same(await store.get(key), undefined, `nothing may be written by an increment by ${name}`);
  }
  const held = `${p}held`;
  await store.set(held, 5);
  await rejectsWith(
    "store_invalid",
    () => store.increment(held, { by: 0.5 }),
    "increment of a counter by 0.5",
  );
  same(await store.get(held), 5, "a refused increment must leave the counter");
}

async function unavailable(store: KeyValueStore, options?: UnavailableCheckOptions): Promise<void> {
  const deadline = options?.deadlineMs ?? 5000;
  const key = `${keyPrefix()}k`;
  await Promise.all([
    unavailableWithin(() => store.get(key), deadline, "get on an unreachable backend"),
    unavailableWithin(
      () => store.set(key, "v", { ttlMs: 60_000 }),
      deadline,
      "set on an unreachable backend",
    ),
    unavailableWithin(
      () => store.setIfAbsent(key, "v"),
      deadline,
      "setIfAbsent on an unreachable backend",
    ),
    unavailableWithin(() => store.consume(key), deadline, "consume on an unreachable backend"),
    unavailableWithin(
      () => store.increment(key, { ttlMs: 60_000 }),
      deadline,
      "increment on an unreachable backend",
    ),
    unavailableWithin(() => store.delete(key), deadline, "delete on an unreachable backend"),
  ]);
}

/**
 * The individual checks of {@link runKeyValueStoreTests}, as plain async
 * functions: each resolves when the store conforms and throws an
 * `AssertionError` naming the broken rule when it does not. Each check uses
 * its own random key prefix and leaves its keys behind (most with no TTL),
 * so run them against a disposable database.
 *
 * Use them to run a single check outside vitest, or to prove that a broken
 * store fails (as this package's own tests do).
 *
 * @example
 * ```ts
 * import { keyValueChecks } from "@gatehouse/adapter-tests";
 *
 * await keyValueChecks.consumeHasOneWinner(myStore); // throws if two callers got the value
 * ```
 */
export const keyValueChecks = Object.freeze({
  /** get and consume of a missing key resolve `undefined`; delete resolves `false`. */
  getMissing,
  /** set/get/delete/consume basics, including a stored `null` being present. */
  setGetDelete,
  /** setIfAbsent writes only when absent and resolves whether it did. */
  setIfAbsent,
  /** Values are copied in and out: mutating objects never changes what is stored. */
  valuesAreCopies,
  /** Keys are compared exactly: case, punctuation, LIKE/glob wildcards, 512-character keys. */
  keysAreDistinct,
  /** Unicode strings, numbers, booleans, null, arrays and nested objects round-trip exactly. */
  roundTripsValues,
  /** A value of exactly `MAX_VALUE_BYTES` (1 MiB) serialised is accepted and round-trips. */
  roundTripsLargestValue,
  /** increment: absent counts as 0, `by` (negative, 0), works on integers written by set. */
  incrementCounts,
  /** increment of a non-integer, or past the safe-integer range, rejects `store_invalid` and changes nothing. */
  incrementRejectsNonIntegers,
  /** set, setIfAbsent and increment with `ttlMs` expire; set without a TTL clears an expiry. */
  expiresKeys,
  /** An increment's TTL is fixed when it creates the key: later increments do not extend it. */
  incrementTtlFixedAtCreation,
  /** 100 concurrent consume calls on one key: exactly one gets the value. */
  consumeHasOneWinner,
  /** 100 concurrent increments (by 1, by 7) sum exactly and each resolves a distinct value. */
  incrementSumsUnderConcurrency,
  /** 100 concurrent setIfAbsent calls on one key: exactly one resolves `true`, and its value is kept. */
  setIfAbsentHasOneWinner,
  /** 100 concurrent delete calls on one key: exactly one resolves `true`. */
  deleteHasOneWinner,
  /** `namespaced()` views and distinct prefixes never see each other's keys. */
  namespacesAreIsolated,
  /** Empty, spaced, non-ASCII, over-512-character and non-string keys reject `store_invalid` on every method. */
  rejectsInvalidKeys,
  /** ttlMs of 0, negative, fractional, NaN, Infinity, over ten years or non-number rejects `store_invalid`, writing nothing. */
  rejectsInvalidTtl,
  /** undefined, NaN, Infinity, functions, symbols, bigints, cycles and values over 1 MiB reject `store_invalid`, writing nothing. */
  rejectsInvalidValues,
  /** increment `by` that is not a safe integer rejects `store_invalid`, writing nothing. */
  rejectsInvalidIncrementStep,
  /** Every method of a store whose backend is unreachable rejects `store_unavailable` (503) within the deadline. */
  unavailable,
});
