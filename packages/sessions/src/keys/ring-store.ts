/**
 * The key ring's reads and writes in the RecordStore: load every key, claim a
 * rotation slot, and the best-effort upkeep (record `retiredAt`, delete keys
 * past their retention).
 *
 * @packageDocumentation
 */
import { isGatehouseError, StoreUnavailableError } from "@gatehouse/core/errors";
import type { RecordInput, RecordStore } from "@gatehouse/core/store";
import { signingKeyModel } from "../models.js";
import { byActivation, isLive, type RingView, type SigningKeyRecord } from "./schedule.js";

/** A store failure as callers match it: typed errors pass, anything else is `store_unavailable`. */
function storeFailure(cause: unknown, doing: string): never {
  if (isGatehouseError(cause)) throw cause;
  throw new StoreUnavailableError(`The signing keys could not be ${doing}.`, { cause });
}

/** Every key in the store, in activation order. */
export async function readKeys(records: RecordStore): Promise<SigningKeyRecord[]> {
  const keys: SigningKeyRecord[] = [];
  let cursor: string | undefined;
  try {
    do {
      const page = await records.findMany(signingKeyModel, {
        orderBy: { field: "generation" },
        limit: 100,
        ...(cursor === undefined ? {} : { cursor }),
      });
      keys.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  } catch (cause) {
    storeFailure(cause, "read");
  }
  return keys.sort(byActivation);
}

/**
 * Creates a key in its rotation slot (`generation`, unique). Resolves
 * `undefined` when another instance took the slot first.
 */
export async function insertKey(
  records: RecordStore,
  data: RecordInput<typeof signingKeyModel>,
): Promise<SigningKeyRecord | undefined> {
  try {
    return await records.create(signingKeyModel, data);
  } catch (cause) {
    if (isGatehouseError(cause) && cause.code === "store_duplicate") return undefined;
    return storeFailure(cause, "written");
  }
}

/**
 * Records when retired keys retired and deletes those past `retainMs`.
 * Best effort: every instance does it on reload, so a failure is retried by
 * the next one, and the published set is derived from time anyway.
 */
export async function tidyKeys(
  records: RecordStore,
  view: RingView,
  now: number,
  retainMs: number,
): Promise<void> {
  await Promise.all(
    view.keys.map((key) => {
      const { id, retiredAt } = key.record;
      const pending = !isLive(key, now, retainMs)
        ? records.delete(signingKeyModel, id)
        : key.retiredAt !== null && retiredAt !== key.retiredAt
          ? records.update(signingKeyModel, id, { retiredAt: key.retiredAt })
          : undefined;
      return pending?.catch(() => {});
    }),
  );
}
