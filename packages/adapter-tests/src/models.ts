import { defineModel, type ModelSchema } from "@gatehouse/core/store";

/**
 * The main model of the record checks: one field of every type, a unique
 * field, and a `group` every check sets to a random value of its own.
 */
export const conformanceItem = defineModel({
  name: "gh_conformance_item",
  fields: {
    group: { type: "string", required: true, indexed: true },
    name: { type: "string", required: true },
    rank: { type: "integer", required: true },
    at: { type: "timestamp", required: true },
    score: { type: "number" },
    active: { type: "boolean" },
    email: { type: "string", unique: true },
    note: { type: "string" },
    data: { type: "json" },
  },
});

/** A second model with overlapping field names, to prove models are kept apart. */
export const conformancePeer = defineModel({
  name: "gh_conformance_peer",
  fields: {
    group: { type: "string", required: true, indexed: true },
    name: { type: "string", required: true },
    email: { type: "string", unique: true },
  },
});

/**
 * The models {@link runRecordStoreTests} uses. Pass them to your migrations
 * (or let `harness.create(models)` do it) before the suite runs; the suite
 * isolates tests by a random `group` value, so the tables can be shared and
 * kept between runs.
 *
 * @example
 * ```ts
 * import { conformanceModels } from "@gatehouse/adapter-tests";
 *
 * await migrate(db, conformanceModels); // your adapter's migration step
 * ```
 */
export const conformanceModels: readonly ModelSchema[] = Object.freeze([
  conformanceItem,
  conformancePeer,
]);
