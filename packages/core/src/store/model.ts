import { GatehouseError, isGatehouseError } from "../errors.js";
import { checkJsonField, type JsonValue, MAX_VALUE_BYTES, unstorableText } from "./json.js";

/** The type of a model field. `timestamp` is milliseconds since the epoch. */
export type FieldType = "string" | "integer" | "number" | "boolean" | "timestamp" | "json";

/** One field of a model. */
export interface FieldSpec {
  readonly type: FieldType;
  /** A value must be given (and never null). @default false */
  readonly required?: boolean;
  /** No two records share a non-null value. @default false */
  readonly unique?: boolean;
  /** Queried often: adapters index it. @default false */
  readonly indexed?: boolean;
}

/**
 * A model a package declares: its name and fields. Every record also has
 * `id` (string), `version` (starts at 1, +1 per update), `createdAt` and
 * `updatedAt` (timestamps), kept by the store.
 */
export interface ModelSchema<F extends Record<string, FieldSpec> = Record<string, FieldSpec>> {
  readonly name: string;
  readonly fields: F;
}

type ValueOf<S extends FieldSpec> = S["type"] extends "string"
  ? string
  : S["type"] extends "boolean"
    ? boolean
    : S["type"] extends "json"
      ? JsonValue
      : number;

type RequiredKeys<F> = { [K in keyof F]: F[K] extends { required: true } ? K : never }[keyof F];
type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;

/** The fields a caller writes on create. */
export type RecordInput<M extends ModelSchema> = {
  [K in RequiredKeys<M["fields"]>]: ValueOf<M["fields"][K]>;
} & { [K in OptionalKeys<M["fields"]>]?: ValueOf<M["fields"][K]> | null } & { id?: string };

/** The fields a caller changes on update. */
export type RecordPatch<M extends ModelSchema> = {
  [K in RequiredKeys<M["fields"]>]?: ValueOf<M["fields"][K]>;
} & { [K in OptionalKeys<M["fields"]>]?: ValueOf<M["fields"][K]> | null };

/** Fields every record carries. */
export interface RecordMeta {
  readonly id: string;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A stored record of model `M`. */
export type StoredRecord<M extends ModelSchema> = RecordMeta & {
  [K in RequiredKeys<M["fields"]>]: ValueOf<M["fields"][K]>;
} & { [K in OptionalKeys<M["fields"]>]: ValueOf<M["fields"][K]> | null };

/** Names every record has; a model may not declare them. */
export const META_FIELDS = Object.freeze(["id", "version", "createdAt", "updatedAt"] as const);

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const FIELD = /^[a-z][A-Za-z0-9]{0,62}$/;
const TYPES: readonly FieldType[] = ["string", "integer", "number", "boolean", "timestamp", "json"];

/**
 * Declares a model. Names are checked so every adapter can map them to
 * tables and columns: models `snake_case`, fields `camelCase`.
 *
 * @example
 * ```ts
 * export const sessionModel = defineModel({
 *   name: "gh_session",
 *   fields: {
 *     userId: { type: "string", required: true, indexed: true },
 *     tokenHash: { type: "string", required: true, unique: true },
 *     expiresAt: { type: "timestamp", required: true },
 *   },
 * });
 * ```
 */
export function defineModel<const F extends Record<string, FieldSpec>>(schema: {
  name: string;
  fields: F;
}): ModelSchema<F> {
  if (!NAME.test(schema.name)) {
    throw new GatehouseError(
      "config_invalid",
      `defineModel(): model name "${schema.name}" must match ${NAME}`,
    );
  }
  const fields: Record<string, FieldSpec> = {};
  for (const [field, spec] of Object.entries(schema.fields)) {
    if (!FIELD.test(field) || (META_FIELDS as readonly string[]).includes(field)) {
      throw new GatehouseError(
        "config_invalid",
        `defineModel(${schema.name}): field "${field}" must be camelCase and not one of ${META_FIELDS.join(", ")}`,
      );
    }
    if (!TYPES.includes(spec.type)) {
      throw new GatehouseError(
        "config_invalid",
        `defineModel(${schema.name}): field "${field}" has unknown type`,
      );
    }
    if (spec.unique && spec.type === "json") {
      throw new GatehouseError(
        "config_invalid",
        `defineModel(${schema.name}): a json field cannot be unique`,
      );
    }
    fields[field] = Object.freeze({ ...spec });
  }
  return Object.freeze({ name: schema.name, fields: Object.freeze(fields) as F });
}

function invalid(model: ModelSchema, message: string): never {
  throw new GatehouseError("store_invalid", `${model.name}: ${message}`);
}

/** Checks one value against its field spec; `null` is allowed unless required. */
export function checkFieldValue(model: ModelSchema, field: string, value: unknown): unknown {
  const spec = model.fields[field];
  if (spec === undefined) return invalid(model, `unknown field "${field}"`);
  return checkSpecValue(model, field, spec, value);
}

function checkSpecValue(model: ModelSchema, field: string, spec: FieldSpec, value: unknown) {
  if (value === null || value === undefined) {
    if (spec.required) invalid(model, `field "${field}" is required`);
    return null;
  }
  switch (spec.type) {
    case "string":
      if (typeof value !== "string") break;
      if (unstorableText(value)) invalid(model, `field "${field}" holds a NUL or a lone surrogate`);
      return value;
    case "json":
      switch (checkJsonField(value)) {
        case "not_json":
          throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.");
        case "too_big":
          throw new GatehouseError("store_invalid", `The value exceeds ${MAX_VALUE_BYTES} bytes.`);
        case "unstorable":
          invalid(model, `field "${field}" holds a NUL or a lone surrogate`);
      }
      return value;
    case "boolean":
      if (typeof value === "boolean") return value;
      break;
    case "number":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      break;
    default:
      if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  }
  if (typeof value === "string" && unstorableText(value)) {
    invalid(model, `field "${field}" holds a NUL or a lone surrogate`);
  }
  return invalid(
    model,
    `field "${field}" must be ${spec.type === "timestamp" ? "a timestamp (ms integer)" : `a ${spec.type}`}`,
  );
}

/** A model's fields as lists, made once per model: the checks of every create walk them. */
interface FieldPlan {
  readonly names: readonly string[];
  readonly specs: readonly FieldSpec[];
  readonly known: ReadonlySet<string>;
  /** Every field set to null, in fast (non-dictionary) mode: copies of it are cheap to fill. */
  readonly blank: Readonly<Record<string, null>>;
}

const plans = new WeakMap<ModelSchema, FieldPlan>();

function planOf(model: ModelSchema): FieldPlan {
  let plan = plans.get(model);
  if (plan === undefined) {
    const names = Object.keys(model.fields);
    plan = {
      names,
      specs: names.map((n) => model.fields[n]!),
      known: new Set(names),
      blank: Object.fromEntries(names.map((n) => [n, null])),
    };
    plans.set(model, plan);
  }
  return plan;
}

const ID = /^[\x21-\x7e]{1,128}$/;

/** Checks the data of a create: known fields, types, required fields present. */
export function checkCreate(
  model: ModelSchema,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const { names, blank } = planOf(model);
  const values: unknown[] = new Array(names.length);
  checkCreateInto(model, data, values, 0);
  // An object filled key by key turns into a slow dictionary past about 16 keys.
  const out: Record<string, unknown> = { ...blank };
  for (let i = 0; i < names.length; i++) out[names[i]!] = values[i];
  return out;
}

/**
 * {@link checkCreate} for adapters that bind positional parameters: checks
 * `data` and writes its field values into `target` from `offset` on, in the
 * order of `Object.keys(model.fields)` (missing optional fields as `null`),
 * without building a record. Returns the id `data` gives, if any.
 *
 * @example
 * ```ts
 * const params: unknown[] = [];
 * const id = checkCreateInto(model, row, params, 0); // params: the field values, in order
 * ```
 */
export function checkCreateInto(
  model: ModelSchema,
  data: Record<string, unknown>,
  target: unknown[],
  offset: number,
): string | undefined {
  if (typeof data !== "object" || data === null) invalid(model, "the record must be an object");
  const { names, specs, known } = planOf(model);
  for (const key of Object.keys(data)) {
    if (key !== "id" && !known.has(key)) invalid(model, `unknown field "${key}"`);
  }
  for (let i = 0; i < names.length; i++) {
    const field = names[i]!;
    target[offset + i] = checkSpecValue(model, field, specs[i]!, data[field]);
  }
  const id = data.id;
  if (id !== undefined && (typeof id !== "string" || !ID.test(id))) {
    invalid(model, "id must be 1-128 printable ASCII characters");
  }
  return id;
}

/** Checks the data of an update: known, non-meta fields with valid values. */
export function checkPatch(
  model: ModelSchema,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  if (typeof patch !== "object" || patch === null) invalid(model, "the patch must be an object");
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = checkFieldValue(model, key, value);
  }
  return out;
}

/** A field `findMany` may order by: a meta field or a required, non-json field. */
export function checkOrderField(model: ModelSchema, field: string): void {
  if ((META_FIELDS as readonly string[]).includes(field)) return;
  const spec = model.fields[field];
  if (spec === undefined || !spec.required || spec.type === "json") {
    invalid(model, `cannot order by "${field}": use a meta field or a required, non-json field`);
  }
}

/** Checks `where`: equality on known fields (meta fields included). */
export function checkWhere(
  model: ModelSchema,
  where: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(where ?? {})) {
    if (value === undefined) continue;
    if ((META_FIELDS as readonly string[]).includes(key)) {
      const ok = key === "id" ? typeof value === "string" : Number.isSafeInteger(value);
      if (!ok) invalid(model, `where.${key} has the wrong type`);
      out[key] = value;
    } else {
      if (model.fields[key]?.type === "json")
        invalid(model, `cannot filter on json field "${key}"`);
      out[key] = checkFieldValue(model, key, value === null ? null : value);
    }
  }
  return out;
}

/** A checked {@link FindManyOptions.range}: the field and the bounds given. */
export interface CheckedRange {
  readonly field: string;
  readonly gte?: number;
  readonly gt?: number;
  readonly lte?: number;
  readonly lt?: number;
}

const RANGE_KEYS = new Set(["field", "gte", "gt", "lte", "lt"]);
const BOUNDS = ["gte", "gt", "lte", "lt"] as const;

/**
 * Checks a `findMany` range: the field is `createdAt`, `updatedAt` or an
 * integer, number or timestamp field of the model; each bound given is a safe
 * integer (a finite number for `number` fields). Resolves `undefined` when
 * `range` is. Throws `store_invalid` otherwise, naming the problem.
 *
 * @example
 * ```ts
 * const range = checkRange(model, options.range); // { field: "at", gte: 1700000000000 }
 * ```
 */
export function checkRange(model: ModelSchema, range: unknown): CheckedRange | undefined {
  if (range === undefined) return undefined;
  if (typeof range !== "object" || range === null || Array.isArray(range)) {
    invalid(model, "range must be an object { field, gte?, gt?, lte?, lt? }");
  }
  const r = range as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!RANGE_KEYS.has(key)) invalid(model, `range has an unknown key "${key}"`);
  }
  const field = r.field;
  const type =
    field === "createdAt" || field === "updatedAt"
      ? "timestamp"
      : typeof field === "string" && Object.hasOwn(model.fields, field)
        ? model.fields[field]?.type
        : undefined;
  if (type !== "integer" && type !== "timestamp" && type !== "number") {
    invalid(
      model,
      `cannot range over ${typeof field === "string" ? `"${field}"` : "a non-string field"}: use createdAt, updatedAt or an integer, number or timestamp field`,
    );
  }
  const out: { -readonly [K in keyof CheckedRange]: CheckedRange[K] } = { field: field as string };
  for (const bound of BOUNDS) {
    const value = r[bound];
    if (value === undefined) continue;
    const ok =
      type === "number"
        ? typeof value === "number" && Number.isFinite(value)
        : Number.isSafeInteger(value);
    if (!ok) {
      invalid(
        model,
        `range.${bound} must be ${type === "number" ? "a finite number" : "a safe integer"}`,
      );
    }
    out[bound] = value as number;
  }
  return Object.freeze(out);
}

/** Whether `value` lies within a checked range: non-null and within every bound given. */
export function inRange(range: CheckedRange, value: unknown): boolean {
  if (typeof value !== "number") return false;
  return (
    (range.gte === undefined || value >= range.gte) &&
    (range.gt === undefined || value > range.gt) &&
    (range.lte === undefined || value <= range.lte) &&
    (range.lt === undefined || value < range.lt)
  );
}

/** One checked row of a `createMany`: its id and the field values {@link checkCreate} returned. */
export interface CheckedRow {
  readonly id: string;
  readonly values: Record<string, unknown>;
}

/**
 * Checks every row of a `createMany` before anything is written: `rows` is an
 * array, each row passes {@link checkCreate} and gives its `id`. Throws
 * `store_invalid` naming the first bad row (`rows[3]`).
 *
 * @example
 * ```ts
 * const checked = checkCreateMany(model, rows); // [{ id, values }, ...]
 * ```
 */
export function checkCreateMany(model: ModelSchema, rows: unknown): CheckedRow[] {
  if (!Array.isArray(rows)) invalid(model, "createMany needs an array of records");
  const out: CheckedRow[] = [];
  for (const [i, row] of rows.entries()) {
    try {
      const values = checkCreate(model, row as Record<string, unknown>);
      const id = (row as { id?: unknown }).id;
      if (id === undefined) invalid(model, "createMany needs the id of every record");
      out.push({ id: id as string, values });
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      throw new GatehouseError("store_invalid", `${err.message} (rows[${i}])`, { cause: err });
    }
  }
  return out;
}
