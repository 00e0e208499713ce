import { GatehouseError } from "../errors.js";

/** A value a store keeps: anything JSON can represent. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** The largest serialised value a store must accept, in bytes (1 MiB). */
export const MAX_VALUE_BYTES = 1_048_576;

/**
 * Serialises a value for storage, refusing what JSON cannot round-trip
 * (`undefined`, functions, symbols, bigints, `NaN`, `Infinity`, cycles) and
 * values over {@link MAX_VALUE_BYTES}.
 */
export function serialiseValue(value: unknown): string {
  // A walk in plain JS is several times faster than a JSON.stringify replacer.
  if (!walkJson(value, 0, { bound: 0, unstorable: false })) {
    throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.");
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.", { cause });
  }
  if (text === undefined) {
    throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.");
  }
  if (text.length > MAX_VALUE_BYTES / 4 && Buffer.byteLength(text) > MAX_VALUE_BYTES) {
    throw new GatehouseError("store_invalid", `The value exceeds ${MAX_VALUE_BYTES} bytes.`);
  }
  return text;
}

// Deeper nesting than this is refused (and keeps the walk from overflowing the stack on cycles).
const MAX_DEPTH = 64;

/** What {@link checkJsonField} found wrong with a value, or `null`. */
export type JsonProblem = "not_json" | "too_big" | "unstorable" | null;

/**
 * Checks a json field's value in one walk, without serialising it when it is
 * clearly small: `not_json` for what {@link serialiseValue} refuses,
 * `too_big` past {@link MAX_VALUE_BYTES}, `unstorable` for a NUL or lone
 * surrogate in any string or key (SQL text and jsonb cannot hold them).
 */
export function checkJsonField(value: unknown): JsonProblem {
  const walk = { bound: 0, unstorable: false };
  if (!walkJson(value, 0, walk)) return "not_json";
  // The bound is an upper limit of the UTF-8 size: only a value that might be too big is serialised.
  if (walk.bound > MAX_VALUE_BYTES) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch {
      return "not_json";
    }
    // A toJSON that returns undefined (or a function) leaves nothing to store.
    if (text === undefined) return "not_json";
    if (Buffer.byteLength(text) > MAX_VALUE_BYTES) return "too_big";
  }
  return walk.unstorable ? "unstorable" : null;
}

/** Whether a string holds a NUL or a lone surrogate. */
export function unstorableText(text: string): boolean {
  // ES2024 `String.prototype.isWellFormed` (Node 20+), not yet in this project's TS lib.
  return text.includes("\0") || !(text as string & { isWellFormed(): boolean }).isWellFormed();
}

// A UTF-16 code unit serialises to at most 6 bytes (`\uXXXX`); a number to at most 25.
function walkJson(value: unknown, depth: number, w: { bound: number; unstorable: boolean }) {
  switch (typeof value) {
    case "string":
      w.bound += value.length * 6 + 2;
      if (!w.unstorable && unstorableText(value)) w.unstorable = true;
      return true;
    case "boolean":
      w.bound += 5;
      return true;
    case "number":
      w.bound += 25;
      return Number.isFinite(value);
    case "object": {
      w.bound += 2;
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (const item of value) {
          w.bound += 1;
          if (!walkJson(item, depth + 1, w)) return false;
        }
        return true;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
        // Serialises to what toJSON returns: size unknown here, so measured.
        w.bound = Number.POSITIVE_INFINITY;
        return true;
      }
      for (const key in value) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        w.bound += key.length * 6 + 4;
        if (!w.unstorable && unstorableText(key)) w.unstorable = true;
        if (!walkJson(v, depth + 1, w)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
