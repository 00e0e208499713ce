/**
 * RFC 8785 (JSON Canonicalization Scheme) text of plain JSON: object keys
 * sorted by UTF-16 code units, no whitespace, numbers and strings as
 * `JSON.stringify` writes them. The hash of an event's metadata must not
 * depend on key order, because stores reorder keys (PostgreSQL's `jsonb`
 * sorts them by length first).
 *
 * @packageDocumentation
 */
import type { JsonValue } from "@gatehouse/core/store";

/**
 * The canonical (RFC 8785) text of `value`. Object members whose value is
 * `undefined` are left out, as `JSON.stringify` does; the input is otherwise
 * plain JSON (what the redactor and `JSON.parse` give).
 *
 * @example
 * ```ts
 * canonicalJson({ route: "/a", method: "GET" }); // '{"method":"GET","route":"/a"}'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8785
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      out += `${i === 0 ? "" : ","}${canonicalJson(value[i] ?? null)}`;
    }
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  let out = "{";
  for (const key of keys) {
    const item = value[key];
    if (item === undefined) continue;
    out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}
