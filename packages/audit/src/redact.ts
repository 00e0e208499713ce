/**
 * Metadata cleaning, run at flush time (never on the request path): a deep
 * copy to plain JSON with secrets redacted, and depth and size limits.
 *
 * @packageDocumentation
 */
import type { JsonValue } from "@gatehouse/core/store";
import { canonicalJson } from "./canonical-json.js";

/**
 * Keys redacted by default. A key matches an entry when they are equal
 * ignoring case, `_`, `-` and spaces (`api_key`, `API-Key` and `apiKey` are one
 * key), or when the key ends with an entry of 5 characters or more
 * (`newPassword`, `idToken`, `x-api-key`, `set-cookie`). Shorter entries
 * (`code`, `otp`) match whole keys only, so `errorCode` stays readable.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  "password",
  "passphrase",
  "secret",
  "token",
  "authorization",
  "cookie",
  "apiKey",
  "api_key",
  "refreshToken",
  "accessToken",
  "code",
  "otp",
  "otpCode",
  "authCode",
  "authorizationCode",
  "backupCode",
  "recoveryCode",
  "verificationCode",
  "privateKey",
]);

/** What replaces a redacted value. */
export const REDACTED = "[redacted]";
/** What marks a cut string, array or object, or a value nested too deep. */
export const TRUNCATED = "[truncated]";
/** What replaces metadata that throws when read (a getter, `toJSON` or Proxy trap). */
export const UNREADABLE = "[unreadable]";
/** What replaces a reference back to an enclosing object. */
export const CIRCULAR = "[circular]";

/** Options of {@link createRedactor}. */
export interface RedactOptions {
  /** Keys to redact besides {@link DEFAULT_REDACT_KEYS}. @default [] */
  readonly keys?: readonly string[];
  /** Largest serialised metadata, in UTF-8 bytes; larger metadata is cut (marked `"[truncated]"`). @default 8192 */
  readonly maxBytes?: number;
  /** Deepest nesting kept; deeper values become `"[truncated]"`. @default 8 */
  readonly maxDepth?: number;
}

const normalise = (key: string) => key.toLowerCase().replace(/[-_\s]/g, "");
// Lone surrogates and NUL: SQL text and jsonb columns refuse them, so one bad
// string would make a sink reject its whole batch again and again.
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces what no store can hold (NUL, lone surrogates) by U+FFFD. */
export function storableString(text: string): string {
  // Fast path: most strings are well-formed without NUL (`isWellFormed` is ES2024, Node 20+).
  if (!text.includes("\u0000") && (text as string & { isWellFormed(): boolean }).isWellFormed()) {
    return text;
  }
  return text.replace(UNSTORABLE, "\uFFFD");
}

/**
 * Makes the metadata cleaner of an audit log: `(metadata) => JSON | null`.
 * It deep-copies to plain JSON (functions, symbols and `undefined` dropped,
 * `Date` → ISO string, `BigInt` → string, `Map` → object, `Set` → array,
 * `Error` → `{ name, message }`, cycles → `"[circular]"`), replaces the values
 * of keys on the redaction list by `"[redacted]"`, and cuts what is nested
 * deeper than `maxDepth` or serialises to more than `maxBytes` (the event is
 * always kept; an object over the limit keeps its smallest members whole and
 * cuts the next). Object keys come out sorted, in RFC 8785 order.
 *
 * @example
 * ```ts
 * const clean = createRedactor({ keys: ["ssn"] });
 * clean({ email: "a@example.com", password: "hunter2", ssn: "078-05-1120" });
 * // { email: "a@example.com", password: "[redacted]", ssn: "[redacted]" }
 * ```
 */
export function createRedactor(options: RedactOptions = {}): (value: unknown) => JsonValue | null {
  const clean = createMetadataCleaner(options);
  return (value) => clean(value).value;
}

/** Cleaned metadata and its canonical (RFC 8785) text, which the event's `piiDigest` covers. */
export interface CleanedMetadata {
  readonly value: JsonValue | null;
  readonly text: string;
}

/** {@link createRedactor}, also giving the canonical text of what it returns (made anyway to measure it). */
export function createMetadataCleaner(
  options: RedactOptions = {},
): (value: unknown) => CleanedMetadata {
  const maxBytes = options.maxBytes ?? 8192;
  const maxDepth = options.maxDepth ?? 8;
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const key of [...DEFAULT_REDACT_KEYS, ...(options.keys ?? [])]) {
    const k = normalise(key);
    if (k === "") continue;
    exact.add(k);
    if (k.length >= 5) suffixes.push(k);
  }
  // Metadata keys repeat from event to event: each key's answer is remembered (bounded).
  const decided = new Map<string, boolean>();
  const redacts = (key: string) => {
    let answer = decided.get(key);
    if (answer === undefined) {
      const k = normalise(key);
      answer = exact.has(k) || suffixes.some((s) => k.endsWith(s));
      if (decided.size >= 4096) decided.clear();
      decided.set(key, answer);
    }
    return answer;
  };

  // Whether the copy's JSON may differ from its canonical text: JavaScript lists integer-like
  // keys first whatever their insertion order, and a cleaned key may sort elsewhere.
  let keysUnsorted = false;

  function copy(value: unknown, depth: number, ancestors: Set<object>): JsonValue | undefined {
    switch (typeof value) {
      case "string":
        return storableString(value);
      case "number":
        // -0 becomes 0, as JSON writes it: the value kept is the value hashed.
        return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
      case "boolean":
        return value;
      case "bigint":
        return value.toString();
      case "object":
        break;
      default:
        return undefined; // undefined, functions, symbols
    }
    if (value === null) return null;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (ancestors.has(value)) return CIRCULAR;
    if (depth >= maxDepth) return TRUNCATED;
    ancestors.add(value);
    try {
      return copyObject(value, depth, ancestors);
    } finally {
      ancestors.delete(value);
    }
  }

  function copyObject(value: object, depth: number, ancestors: Set<object>): JsonValue {
    if (Array.isArray(value) || value instanceof Set) {
      return Array.from(
        value as Iterable<unknown>,
        (item) => copy(item, depth + 1, ancestors) ?? null,
      );
    }
    if (value instanceof Error) {
      return { name: storableString(value.name), message: storableString(value.message) };
    }
    if (value instanceof Map) {
      return copyEntries(value.entries(), depth, ancestors);
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      return copy(toJSON.call(value), depth + 1, ancestors) ?? null;
    }
    return copyRecord(value as Record<string, unknown>, depth, ancestors);
  }

  /** A plain object's copy, keys sorted (the common case, kept cheap: no entry pairs). */
  function copyRecord(value: Record<string, unknown>, depth: number, ancestors: Set<object>) {
    const keys = Object.keys(value).sort();
    const out: Record<string, JsonValue> = {};
    for (const rawKey of keys) {
      const item = value[rawKey];
      if (item === undefined) continue;
      const key = storableString(rawKey);
      const first = key.charCodeAt(0);
      if ((first >= 48 && first <= 57) || key !== rawKey) keysUnsorted = true;
      const cleaned = redacts(key) ? REDACTED : copy(item, depth + 1, ancestors);
      if (cleaned === undefined) continue;
      setKey(out, key, cleaned);
    }
    return out;
  }

  /** A Map's copy: keys as strings, sorted. */
  function copyEntries(
    entries: Iterable<[unknown, unknown]>,
    depth: number,
    ancestors: Set<object>,
  ): JsonValue {
    const pairs: [string, unknown][] = [];
    for (const [rawKey, item] of entries) {
      if (item !== undefined) pairs.push([String(rawKey), item]);
    }
    // Two keys may become one string (1 and "1"): the later wins, as in the Map's order.
    pairs.sort(byKey);
    const record: Record<string, unknown> = {};
    for (const [key, item] of pairs)
      setKey(record as Record<string, JsonValue>, key, item as JsonValue);
    return copyRecord(record, depth, ancestors);
  }

  return function clean(value: unknown): CleanedMetadata {
    if (value === undefined || value === null) return NONE;
    let cleaned: JsonValue | null;
    keysUnsorted = false;
    try {
      cleaned = copy(value, 0, new Set()) ?? null;
    } catch {
      // A getter or toJSON threw, or a Proxy refused: keep the event, say why.
      return UNREADABLE_METADATA;
    }
    const text = keysUnsorted ? canonicalJson(cleaned) : JSON.stringify(cleaned);
    if (fits(text, maxBytes)) return { value: cleaned, text };
    const cut = fitToBudget(cleaned, maxBytes);
    return { value: cut, text: canonicalJson(cut) };
  };
}

const byKey = (a: [string, unknown], b: [string, unknown]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

const NONE: CleanedMetadata = Object.freeze({ value: null, text: "null" });
const UNREADABLE_METADATA: CleanedMetadata = Object.freeze({
  value: UNREADABLE,
  text: JSON.stringify(UNREADABLE),
});

const byteSize = (value: JsonValue): number => Buffer.byteLength(JSON.stringify(value));

/** Whether `text` is within `maxBytes` of UTF-8 (counted only when it could matter). */
function fits(text: string, maxBytes: number): boolean {
  return text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes;
}
/** Room left for a value inside a container that must still fit its marker. */
const MIN_PART = 24;

/** The largest prefix of `value` (marked) that serialises within `budget` bytes. */
function fitToBudget(value: JsonValue, budget: number): JsonValue {
  if (byteSize(value) <= budget) return value;
  if (typeof value === "string") return cutString(value, budget);
  if (value === null || typeof value !== "object") return TRUNCATED;
  return Array.isArray(value) ? fitArray(value, budget) : fitObject(value, budget);
}

function cutString(value: string, budget: number): string {
  const marked = (n: number) => {
    // Never split a surrogate pair.
    const end = n > 0 && value.charCodeAt(n - 1) >= 0xd800 && value.charCodeAt(n - 1) < 0xdc00;
    return `${value.slice(0, end ? n - 1 : n)}…${TRUNCATED}`;
  };
  let lo = 0;
  let hi = value.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (byteSize(marked(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const cut = marked(lo);
  return byteSize(cut) <= budget ? cut : TRUNCATED;
}

function fitArray(value: JsonValue[], budget: number): JsonValue[] {
  const reserve = byteSize(TRUNCATED) + 1; // ,"[truncated]"
  const out: JsonValue[] = [];
  let used = 2;
  for (const item of value) {
    const sep = out.length > 0 ? 1 : 0;
    const size = byteSize(item);
    if (used + sep + size + reserve <= budget) {
      out.push(item);
      used += sep + size;
      continue;
    }
    const room = budget - used - sep - reserve - 1;
    if (room >= MIN_PART && typeof item === "object" && item !== null)
      out.push(fitToBudget(item, room));
    else if (room >= MIN_PART && typeof item === "string") out.push(cutString(item, room));
    break;
  }
  out.push(TRUNCATED);
  return out;
}

function fitObject(value: { [key: string]: JsonValue }, budget: number): JsonValue {
  const reserve = byteSize(TRUNCATED) + ":true".length + 1; // ,"[truncated]":true
  const out: Record<string, JsonValue> = {};
  let used = 2;
  let count = 0;
  // Smallest members first: one big value is cut rather than every small one after it dropped.
  const members = Object.entries(value).map(([key, item]) => ({
    key,
    item,
    keySize: byteSize(key) + 1,
    size: byteSize(item),
  }));
  members.sort((a, b) => a.keySize + a.size - (b.keySize + b.size));
  for (const { key, item, keySize, size } of members) {
    const sep = count > 0 ? 1 : 0;
    if (used + sep + keySize + size + reserve <= budget) {
      setKey(out, key, item);
      used += sep + keySize + size;
      count++;
      continue;
    }
    const room = budget - used - sep - keySize - reserve - 1;
    if (room >= MIN_PART && typeof item === "string") setKey(out, key, cutString(item, room));
    else if (room >= MIN_PART && typeof item === "object" && item !== null) {
      setKey(out, key, fitToBudget(item, room));
    }
    break;
  }
  out[TRUNCATED] = true;
  return out;
}

function setKey(out: Record<string, JsonValue>, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true });
  } else {
    out[key] = value;
  }
}
