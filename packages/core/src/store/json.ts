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
 * (`undefined`, functions, `NaN`, cycles) and values over {@link MAX_VALUE_BYTES}.
 */
export function serialiseValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) throw new TypeError("non-finite number");
      if (typeof v === "bigint" || typeof v === "function" || typeof v === "symbol") {
        throw new TypeError(`a ${typeof v} is not JSON`);
      }
      return v;
    });
  } catch (cause) {
    throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.", { cause });
  }
  if (text === undefined)
    throw new GatehouseError("store_invalid", "The value is not JSON-serialisable.");
  if (text.length > MAX_VALUE_BYTES / 4 && Buffer.byteLength(text) > MAX_VALUE_BYTES) {
    throw new GatehouseError("store_invalid", `The value exceeds ${MAX_VALUE_BYTES} bytes.`);
  }
  return text;
}
