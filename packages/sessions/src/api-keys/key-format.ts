/**
 * The API key format, GitHub-token style: `<prefix>_sk_` (secret) or
 * `<prefix>_pk_` (publishable), then a lookup id, a 256-bit random secret and
 * a CRC32 checksum, all base62 and of fixed length, so a key is safe in
 * headers, selected whole by a double click, split without separators, and a
 * typo is refused without a store read.
 *
 * @see https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
 * @internal
 */
import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Characters of the lookup id: 71 bits, stored in clear (unique). */
export const LOOKUP_LENGTH = 12;
/** Characters of the secret: 62^43 > 2^256. */
export const SECRET_LENGTH = 43;
/** Characters of the checksum: 62^6 > 2^32. */
export const CHECKSUM_LENGTH = 6;
const BODY = new RegExp(`^[0-9A-Za-z]{${LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH}}$`);
/** Lookup-id characters shown in lists after the prefix (`gh_sk_AbC1…`). */
const DISPLAY_LOOKUP_CHARS = 4;

/** `secret` keys are server-side; `publishable` keys may ship in front-end code. */
export type ApiKeyKind = "secret" | "publishable";

/** What a well-formed key names. */
export interface ParsedApiKey {
  readonly kind: ApiKeyKind;
  readonly lookupId: string;
}

/** `n` uniformly random base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(n: number): string {
  let out = "";
  while (out.length < n) {
    for (const byte of randomBytes(n - out.length + 8)) {
      // 248 = 4 × 62: bytes above it would favour the first characters.
      if (byte < 248 && out.length < n) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** `value` (an unsigned 32-bit integer) in base62, left-padded to {@link CHECKSUM_LENGTH}. */
export function toBase62(value: number): string {
  let out = "";
  for (let v = value; v > 0; v = Math.floor(v / 62)) out = ALPHABET[v % 62] + out;
  return out.padStart(CHECKSUM_LENGTH, "0");
}

/** The checksum of everything before it: CRC32, base62. */
export function checksum(payload: string): string {
  return toBase62(crc32(payload));
}

function kindPrefix(prefix: string, kind: ApiKeyKind): string {
  return `${prefix}_${kind === "secret" ? "sk" : "pk"}_`;
}

/** A new key of `kind` and its lookup id. */
export function generateApiKey(
  prefix: string,
  kind: ApiKeyKind,
): { key: string; lookupId: string } {
  const lookupId = randomBase62(LOOKUP_LENGTH);
  const payload = `${kindPrefix(prefix, kind)}${lookupId}${randomBase62(SECRET_LENGTH)}`;
  return { key: `${payload}${checksum(payload)}`, lookupId };
}

/**
 * Splits a presented key, or `undefined` when it is not one of ours: wrong
 * type, length, prefix or alphabet, or a checksum that does not match. Cheap
 * and store-free, so garbage never reaches the database.
 */
export function parseApiKey(prefix: string, key: unknown): ParsedApiKey | undefined {
  if (typeof key !== "string") return undefined;
  const head = prefix.length + 4;
  if (key.length !== head + LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH) return undefined;
  let kind: ApiKeyKind;
  if (key.startsWith(kindPrefix(prefix, "secret"))) kind = "secret";
  else if (key.startsWith(kindPrefix(prefix, "publishable"))) kind = "publishable";
  else return undefined;
  if (!BODY.test(key.slice(head))) return undefined;
  const end = key.length - CHECKSUM_LENGTH;
  // The checksum is derived from the key itself: nothing secret to compare in constant time.
  if (checksum(key.slice(0, end)) !== key.slice(end)) return undefined;
  return { kind, lookupId: key.slice(head, head + LOOKUP_LENGTH) };
}

/** The start of a key shown in lists: its prefix and a few (non-secret) lookup-id characters. */
export function displayPrefixOf(prefix: string, key: string): string {
  return `${key.slice(0, prefix.length + 4 + DISPLAY_LOOKUP_CHARS)}…`;
}
