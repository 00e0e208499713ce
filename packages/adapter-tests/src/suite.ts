import { GatehouseError } from "@gatehouse/core/errors";
import type { KeyValueStore, RecordStore } from "@gatehouse/core/store";
import { describe, it } from "vitest";
import type { KeyValueStoreHarness, RecordStoreHarness } from "./harness.js";
import { keyValueChecks } from "./key-value-checks.js";
import { conformanceModels } from "./models.js";
import { recordChecks } from "./record-checks.js";

/** Options of {@link runKeyValueStoreTests}. */
export interface KeyValueStoreTestOptions {
  /** Timeout of each test, in milliseconds. @default 15000 */
  timeoutMs?: number;
  /**
   * The TTL the expiry tests use, in milliseconds; they wait about twice as
   * long. Raise it for a backend whose expiry is coarse (e.g. whole seconds).
   * @default 250
   */
  ttlMs?: number;
  /**
   * How fast an unreachable backend must fail: every operation of
   * `harness.createUnavailable()` must reject within this many milliseconds.
   * @default 5000
   */
  unavailableDeadlineMs?: number;
}

/** Options of {@link runRecordStoreTests}. */
export interface RecordStoreTestOptions {
  /** Timeout of each test, in milliseconds. @default 15000 */
  timeoutMs?: number;
  /** See {@link KeyValueStoreTestOptions.unavailableDeadlineMs}. @default 5000 */
  unavailableDeadlineMs?: number;
}

function positive(
  fn: string,
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  min = 1,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new GatehouseError(
      "config_invalid",
      `${fn}(): option "${name}" must be an integer >= ${min}`,
    );
  }
  return value;
}

function checkHarness(fn: string, name: unknown, harness: unknown): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new GatehouseError("config_invalid", `${fn}(): name must be a non-empty string`);
  }
  const h = harness as { create?: unknown; createUnavailable?: unknown; release?: unknown };
  if (typeof h !== "object" || h === null || typeof h.create !== "function") {
    throw new GatehouseError("config_invalid", `${fn}(): harness.create must be a function`);
  }
  for (const key of ["createUnavailable", "release"] as const) {
    if (h[key] !== undefined && typeof h[key] !== "function") {
      throw new GatehouseError(
        "config_invalid",
        `${fn}(): harness.${key} must be a function when given`,
      );
    }
  }
}

type Case<S> = readonly [title: string, run: (store: S) => Promise<void>];

/**
 * Registers the `KeyValueStore` conformance suite as vitest `describe`/`it`
 * blocks. Call it at the top level of a test file of your adapter. Each test
 * gets a fresh store from `harness.create()`, uses its own random key prefix
 * (so tests may share one backend and need no cleanup), and hands the store
 * to `harness.release()` afterwards.
 *
 * The "unavailable backend" tests are registered only when the harness has
 * `createUnavailable`; an adapter without a backend to lose (in-memory) omits
 * it, every other adapter must provide it.
 *
 * @param name - Shown in the test names, e.g. `"redis"`.
 * @param harness - How to make (and dispose of) stores.
 * @param options - Timing knobs; see {@link KeyValueStoreTestOptions}.
 * @throws `config_invalid` when the harness or an option is malformed.
 *
 * @example
 * ```ts
 * // my-store.conformance.test.ts
 * import { runKeyValueStoreTests } from "@gatehouse/adapter-tests";
 * import { createMyStore } from "./my-store.js";
 *
 * runKeyValueStoreTests("my-store", {
 *   create: () => createMyStore({ url: process.env.DB_URL }),
 *   createUnavailable: () => createMyStore({ url: "db://127.0.0.1:1", timeoutMs: 1000 }),
 * });
 * ```
 * @see https://github.com/gatehouse-auth/gatehouse/tree/main/packages/adapter-tests#readme
 */
export function runKeyValueStoreTests(
  name: string,
  harness: KeyValueStoreHarness,
  options: KeyValueStoreTestOptions = {},
): void {
  const fn = "runKeyValueStoreTests";
  checkHarness(fn, name, harness);
  const opts = options as Record<string, unknown>;
  const timeout = positive(fn, opts, "timeoutMs", 15_000);
  const ttlMs = positive(fn, opts, "ttlMs", 250, 10);
  const deadlineMs = positive(fn, opts, "unavailableDeadlineMs", 5000);
  const c = keyValueChecks;
  const ttl = { ttlMs };
  const groups: readonly (readonly [string, readonly Case<KeyValueStore>[]])[] = [
    [
      "basics",
      [
        ["get and consume of a missing key resolve undefined; delete resolves false", c.getMissing],
        ["set, get, consume and delete; a stored null is present", c.setGetDelete],
        ["setIfAbsent writes only when the key is absent", c.setIfAbsent],
        ["values are copied in and out", c.valuesAreCopies],
        [
          "keys are compared exactly (case, punctuation, wildcards, 512 characters)",
          c.keysAreDistinct,
        ],
      ],
    ],
    [
      "values",
      [
        [
          "unicode, numbers, booleans, null, arrays and nested objects round-trip",
          c.roundTripsValues,
        ],
        ["a value of exactly 1 MiB serialised round-trips", c.roundTripsLargestValue],
      ],
    ],
    [
      "increment",
      [
        ["counts from 0 by any safe-integer step", c.incrementCounts],
        [
          "rejects non-integer values and overflow with store_invalid",
          c.incrementRejectsNonIntegers,
        ],
      ],
    ],
    [
      "expiry",
      [
        ["set, setIfAbsent and increment with ttlMs expire", (s) => c.expiresKeys(s, ttl)],
        [
          "an increment's ttl is fixed when it creates the key",
          (s) => c.incrementTtlFixedAtCreation(s, ttl),
        ],
      ],
    ],
    [
      "concurrency",
      [
        ["exactly one of 100 concurrent consume calls gets the value", c.consumeHasOneWinner],
        ["100 concurrent increments sum exactly (by 1 and by 7)", c.incrementSumsUnderConcurrency],
        ["exactly one of 100 concurrent setIfAbsent calls wins", c.setIfAbsentHasOneWinner],
        ["exactly one of 100 concurrent delete calls resolves true", c.deleteHasOneWinner],
      ],
    ],
    ["namespaces", [["namespaces and prefixes are isolated", c.namespacesAreIsolated]]],
    [
      "invalid input",
      [
        ["invalid keys reject store_invalid on every method", c.rejectsInvalidKeys],
        ["invalid ttlMs rejects store_invalid and writes nothing", c.rejectsInvalidTtl],
        ["values JSON cannot hold, or over 1 MiB, reject store_invalid", c.rejectsInvalidValues],
        ["a non-safe-integer increment step rejects store_invalid", c.rejectsInvalidIncrementStep],
      ],
    ],
  ];

  describe(`KeyValueStore conformance: ${name}`, () => {
    for (const [group, cases] of groups) {
      describe(group, () => {
        for (const [title, run] of cases) {
          it(
            title,
            async () => {
              const store = await harness.create();
              try {
                await run(store);
              } finally {
                await harness.release?.(store);
              }
            },
            timeout,
          );
        }
      });
    }
    const createUnavailable = harness.createUnavailable?.bind(harness);
    if (createUnavailable !== undefined) {
      describe("unavailable backend", () => {
        it(
          `every method rejects store_unavailable (503) within ${deadlineMs} ms`,
          async () => {
            await keyValueChecks.unavailable(await createUnavailable(), { deadlineMs });
          },
          Math.max(timeout, deadlineMs + 5000),
        );
      });
    }
  });
}

/**
 * Registers the `RecordStore` conformance suite as vitest `describe`/`it`
 * blocks. Call it at the top level of a test file of your adapter. Each test
 * gets a fresh store from `harness.create(conformanceModels)`, writes under
 * its own random `group` value (so tests may share one database and need no
 * cleanup), and hands the store to `harness.release()` afterwards.
 *
 * The "unavailable backend" tests are registered only when the harness has
 * `createUnavailable`.
 *
 * @param name - Shown in the test names, e.g. `"postgres"`.
 * @param harness - How to make (and dispose of) stores.
 * @param options - Timing knobs; see {@link RecordStoreTestOptions}.
 * @throws `config_invalid` when the harness or an option is malformed.
 *
 * @example
 * ```ts
 * // my-record-store.conformance.test.ts
 * import { runRecordStoreTests } from "@gatehouse/adapter-tests";
 * import { createMyRecordStore, migrate } from "./my-record-store.js";
 *
 * runRecordStoreTests("my-record-store", {
 *   create: async (models) => {
 *     await migrate(process.env.DB_URL, models); // create tables for the suite's models
 *     return createMyRecordStore({ url: process.env.DB_URL });
 *   },
 * });
 * ```
 */
export function runRecordStoreTests(
  name: string,
  harness: RecordStoreHarness,
  options: RecordStoreTestOptions = {},
): void {
  const fn = "runRecordStoreTests";
  checkHarness(fn, name, harness);
  const opts = options as Record<string, unknown>;
  const timeout = positive(fn, opts, "timeoutMs", 15_000);
  const deadlineMs = positive(fn, opts, "unavailableDeadlineMs", 5000);
  const c = recordChecks;
  const groups: readonly (readonly [string, readonly Case<RecordStore>[]])[] = [
    [
      "create, read, update, delete",
      [
        ["create sets id, version 1, createdAt and updatedAt", c.createSetsMetadata],
        ["create honours an explicit id and refuses a taken one", c.createHonoursExplicitId],
        ["findOne by id, by fields and by both", c.findsOne],
        ["update bumps version and updatedAt and leaves other fields", c.updatesFields],
        ["update of a missing id rejects store_not_found", c.updateOfMissingIsNotFound],
        ["delete resolves whether the record existed", c.deletesRecords],
        ["models are isolated from each other", c.modelsAreIsolated],
      ],
    ],
    [
      "values",
      [
        ["field values round-trip exactly, as numbers where numeric", c.roundTripsFieldValues],
        ["json fields round-trip nested values", c.roundTripsJson],
      ],
    ],
    [
      "schema validation",
      [
        ["an invalid create rejects store_invalid and writes nothing", c.rejectsInvalidCreate],
        ["an invalid update rejects store_invalid and changes nothing", c.rejectsInvalidUpdate],
        ["invalid filters, orderings and cursors reject store_invalid", c.rejectsInvalidQueries],
      ],
    ],
    [
      "filters and ordering",
      [
        ["equality filters: one field, several, null, false", c.filtersByEquality],
        ["orders asc and desc on string, integer, timestamp and id, ties by id", c.ordersByField],
      ],
    ],
    [
      "pagination",
      [
        ["paging through ties returns every record once, in order", c.paginatesWithTies],
        ["paging while inserting and deleting skips and repeats nothing", c.paginatesWhileWriting],
        ["limit defaults to 50 and must be 1 to 1000", c.boundsLimit],
        ["a cursor from another ordering rejects store_invalid", c.rejectsForeignCursor],
      ],
    ],
    [
      "concurrency",
      [
        ["exactly one of 20 concurrent versioned updates wins", c.versionedUpdateHasOneWinner],
        ["concurrent updates each get a distinct version", c.updatesBumpVersionUnderConcurrency],
        ["exactly one of 20 concurrent creates of a unique value wins", c.uniqueCreateHasOneWinner],
      ],
    ],
    [
      "unique fields",
      [["duplicates rejected on create and update; many nulls allowed", c.enforcesUniqueFields]],
    ],
    [
      "range",
      [
        [
          "each bound and combinations, on integer, timestamp, number, createdAt and updatedAt; AND with where",
          c.filtersByRange,
        ],
        [
          "paging by cursor within a range, ordered by the ranged field (desc and asc) or another",
          c.paginatesWithinRange,
        ],
        ["contradictory and out-of-data ranges resolve an empty page", c.rangesCanBeEmpty],
        ["a bad range field, bound or key rejects store_invalid", c.rejectsInvalidRange],
      ],
    ],
    [
      "createMany (optional: these pass without writing when the store has no createMany)",
      [
        ["writes every row under its id; values and order round-trip", c.createManyInsertsAll],
        [
          "skips taken ids and unique values, also within the batch; a replay inserts 0",
          c.createManySkipsExisting,
        ],
        ["one invalid row rejects store_invalid and writes nothing", c.createManyIsAtomic],
        [
          "6001 rows (past one SQL statement's parameters) are written once",
          c.createManyLargeBatch,
        ],
        [
          "core's createManyFallback over create validates first and skips what exists",
          c.createManyFallbackOverCreate,
        ],
      ],
    ],
  ];

  describe(`RecordStore conformance: ${name}`, () => {
    for (const [group, cases] of groups) {
      describe(group, () => {
        for (const [title, run] of cases) {
          it(
            title,
            async () => {
              const store = await harness.create(conformanceModels);
              try {
                await run(store);
              } finally {
                await harness.release?.(store);
              }
            },
            timeout,
          );
        }
      });
    }
    const createUnavailable = harness.createUnavailable?.bind(harness);
    if (createUnavailable !== undefined) {
      describe("unavailable backend", () => {
        it(
          `every method rejects store_unavailable (503) within ${deadlineMs} ms`,
          async () => {
            await recordChecks.unavailable(await createUnavailable(conformanceModels), {
              deadlineMs,
            });
          },
          Math.max(timeout, deadlineMs + 5000),
        );
      });
    }
  });
}
