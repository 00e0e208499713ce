/**
 * Internal: at-most-once processing per message id on a KeyValueStore. A
 * delivery claims `<prefix><id>` with `setIfAbsent("processing", lockTtl)`;
 * success rewrites it to `"done"` for `ttl` (later deliveries are duplicates);
 * failure deletes it, so the sender's retry runs again. A process that dies
 * mid-run leaves a lock that expires after `lockTtl`.
 *
 * @packageDocumentation
 */
import { createHash } from "node:crypto";
import { isGatehouseError, StoreUnavailableError } from "@gatehouse/core/errors";
import type { KeyValueStore } from "@gatehouse/core/store";

const PROCESSING = "processing";
const DONE = "done";
/** Ids that can be a store key as they are; anything else is hashed. */
const PLAIN_ID = /^[A-Za-z0-9_.-]{1,200}$/;

/** The state of a message id after a claim. */
export type Claim = "claimed" | "done" | "busy";

/** Settings of {@link createMessageLedger}. */
export interface LedgerOptions {
  readonly ttlMs: number;
  readonly lockTtlMs: number;
  readonly keyPrefix: string;
}

/** Claims, completes and releases message ids. */
export interface MessageLedger {
  claim(id: string): Promise<Claim>;
  complete(id: string): Promise<void>;
  /** Deletes the claim; a store failure here is swallowed (the lock then expires after lockTtl). */
  release(id: string): Promise<void>;
}

/** A store that breaks its contract (rejects with a plain error) is an outage too: 503, not 500. */
async function store<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (cause) {
    if (isGatehouseError(cause)) throw cause;
    throw new StoreUnavailableError("The webhook message store failed.", { cause });
  }
}

/** Creates the ledger of one receiver. */
export function createMessageLedger(kv: KeyValueStore, options: LedgerOptions): MessageLedger {
  const keyOf = (id: string) =>
    PLAIN_ID.test(id)
      ? `${options.keyPrefix}${id}`
      : `${options.keyPrefix}sha256:${createHash("sha256").update(id).digest("base64url")}`;

  return {
    async claim(id) {
      const key = keyOf(id);
      // A second round covers a claim released between our setIfAbsent and get.
      for (let round = 0; round < 2; round++) {
        if (await store(kv.setIfAbsent(key, PROCESSING, { ttlMs: options.lockTtlMs }))) {
          return "claimed";
        }
        const state = await store(kv.get(key));
        if (state === DONE) return "done";
        if (state !== undefined) return "busy";
      }
      return "busy";
    },
    async complete(id) {
      await store(kv.set(keyOf(id), DONE, { ttlMs: options.ttlMs }));
    },
    async release(id) {
      await kv.delete(keyOf(id)).catch(() => undefined);
    },
  };
}
