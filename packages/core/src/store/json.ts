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
  if (!isJson(value, 0)) {
    throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.");
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.", { cause });
  }
  if (text.length > MAX_VALUE_BYTES / 4 && Buffer.byteLength(text) > MAX_VALUE_BYTES) {
    throw new GatehouseError("store_invalid", `The value exceeds ${MAX_VALUE_BYTES} bytes.`);
  }
  return text;
}

// Deeper nesting than this is refused (and keeps the walk from overflowing the stack on cycles).
const MAX_DEPTH = 64;

function isJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (const item of value) if (!isJson(item, depth + 1)) return false;
        return true;
      }
      // Objects with toJSON (Date) serialise to what toJSON returns.
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") return true;
      for (const key in value) {
        const v = (value as Record<string, unknown>)[key];
        if (v !== undefined && !isJson(v, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
