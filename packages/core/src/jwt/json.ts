import { isUtf8 } from "node:buffer";
import { GatehouseError } from "../errors.js";

/**
 * Parses a decoded JWS segment as a JSON object, strictly: valid UTF-8, no
 * byte-order mark, no duplicate member names (RFC 7515 §5.2, RFC 8259 §4),
 * and an object at the top. A parser that keeps the last of two `"sub"`
 * members would let a token say two things at once.
 */
export function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new GatehouseError("token_json_bom", `The ${what} starts with a byte-order mark.`);
  }
  if (!isUtf8(bytes)) {
    throw new GatehouseError("token_utf8_invalid", `The ${what} is not valid UTF-8.`);
  }
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatehouseError("token_json_invalid", `The ${what} is not valid JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GatehouseError("token_not_object", `The ${what} is not a JSON object.`);
  }
  const names = countMemberNames(text);
  if (names === -1) {
    throw new GatehouseError(
      "token_json_escaped_name",
      `The ${what} spells a member name with an escape sequence.`,
    );
  }
  // JSON.parse keeps only the last of two equal names, so a repeated name leaves
  // the parsed value with fewer members than the text names.
  if (names !== countMembers(value)) {
    throw new GatehouseError("token_json_duplicate_key", `The ${what} repeats a member name.`);
  }
  return value as Record<string, unknown>;
}

const BACKSLASH = 0x5c;

/** Counts member names in valid JSON text: the strings followed by a colon. */
export function countMemberNames(text: string): number {
  let names = 0;
  // Position of the next backslash at or after `at` (-1: none left); advanced lazily.
  let backslash = text.indexOf("\\");
  let at = text.indexOf('"');
  while (at !== -1) {
    // Find the closing quote: one preceded by an even number of backslashes.
    let end = at;
    for (;;) {
      end = text.indexOf('"', end + 1);
      let k = end - 1;
      while (text.charCodeAt(k) === BACKSLASH) k--;
      if ((end - 1 - k) % 2 === 0) break;
    }
    let next = end + 1;
    let c = text.charCodeAt(next);
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++next);
    if (c === 0x3a /* : */) {
      if (backslash !== -1 && backslash < at) backslash = text.indexOf("\\", at);
      if (backslash !== -1 && backslash < end) return -1;
      names++;
    }
    at = text.indexOf('"', end + 1);
  }
  return names;
}

/** Counts the members of every object in a parsed JSON value. */
function countMembers(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value) n += countMembers(item);
    return n;
  }
  for (const key in value) {
    n += 1 + countMembers((value as Record<string, unknown>)[key]);
  }
  return n;
}
