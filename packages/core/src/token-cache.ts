import { hash } from "node:crypto";
import type { SignedInAuthContext } from "./auth-context.js";

/** Options of the verified-token cache. */
export interface TokenCacheOptions {
  /** Most tokens kept; the oldest entry is evicted first. @default 10000 */
  maxEntries?: number;
}

interface Entry<V> {
  readonly value: V;
  /** `exp` in milliseconds: the entry is never served at or after it. */
  readonly expiresAt: number;
}

/**
 * A bounded cache of verified tokens. Keys are SHA-256 digests of the token,
 * so a heap dump holds no usable credential; an entry is never served past
 * the token's `exp`.
 */
export class TokenCache<V = SignedInAuthContext> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly maxEntries: number;

  constructor(options: TokenCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** The key of a token presented from `cookie` or a header. */
  key(token: string, fromCookie: boolean): string {
    const digest = hash("sha256", token, "base64");
    return fromCookie ? `c${digest}` : digest;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now < entry.expiresAt) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { value, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
