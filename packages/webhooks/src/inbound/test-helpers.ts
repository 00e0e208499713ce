/**
 * Internal: signing deliveries and failing stores for the tests of the
 * receiver and the Clerk sync. Imported by *.test.ts files only.
 *
 * @packageDocumentation
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "@gatehouse/core";
import { StoreUnavailableError } from "@gatehouse/core/errors";
import type { KeyValueStore } from "@gatehouse/core/store";
import { parseWebhookSecret } from "../secrets.js";
import { signatureHeader } from "../signature.js";
import type { WebhookRequest } from "./types.js";

export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A delivery of `payload` signed like Svix does, at the clock's time. */
export function signed(
  payload: unknown,
  clock: Clock,
  opts: { id?: string; secret?: string; headers?: Record<string, string> } = {},
): WebhookRequest {
  const rawBody = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = opts.id ?? `msg_${randomUUID()}`;
  const ts = Math.floor(clock.now() / 1000);
  const sig = signatureHeader([parseWebhookSecret(opts.secret ?? SECRET)], id, ts, rawBody);
  return {
    rawBody,
    headers: {
      "svix-id": id,
      "svix-timestamp": String(ts),
      "svix-signature": sig,
      ...opts.headers,
    },
  };
}

/** A KeyValueStore whose every operation (or the listed ones) rejects with `store_unavailable`. */
export function downKv(
  kv: KeyValueStore,
  failing: ReadonlyArray<keyof KeyValueStore> = [
    "get",
    "set",
    "setIfAbsent",
    "consume",
    "increment",
    "delete",
  ],
): KeyValueStore {
  const fail = async () => {
    throw new StoreUnavailableError("The store is down.");
  };
  const out = { ...kv } as Record<keyof KeyValueStore, unknown>;
  for (const name of failing) out[name] = fail;
  return out as unknown as KeyValueStore;
}

/** A promise and the functions that settle it. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code: string; status: number; cause?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code: string; status: number };
  }
  throw new Error("expected a rejection");
}
