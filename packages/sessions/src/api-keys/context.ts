/**
 * What the API-key operations share: the resolved options and a few store
 * helpers.
 *
 * @internal
 */
import type { Clock, EventBus } from "@gatehouse/core";
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import type { RecordStore, StoredRecord } from "@gatehouse/core/store";
import type { SecretRing } from "../crypto.js";
import { apiKeyModel } from "../models.js";
import type { RevocationList } from "../revocation-list.js";

/** A stored API key. */
export type ApiKeyRecord = StoredRecord<typeof apiKeyModel>;

/** The resolved options every operation works with. */
export interface ApiKeyContext {
  readonly records: RecordStore;
  readonly secrets: SecretRing;
  readonly clock: Clock;
  readonly events: EventBus | undefined;
  readonly revocations: Pick<RevocationList, "revoke">;
  /** e.g. `gh`. */
  readonly prefix: string;
  /** How long a revocation is kept in the shared list: the positive cache TTL plus a margin. */
  readonly revocationWindowMs: number;
  readonly lastUsedWriteIntervalMs: number;
  readonly maxKeysPerSubject: number;
}

/** The key with this id, or `undefined` (also for an id that cannot be one). */
export function findKey(ctx: ApiKeyContext, id: unknown): Promise<ApiKeyRecord | undefined> {
  if (typeof id !== "string" || id.length === 0 || id.length > 255) {
    return Promise.resolve(undefined);
  }
  return ctx.records.findOne(apiKeyModel, { id });
}

/** Whether `err` is a stale-`expectedVersion` failure. */
export function isConflict(err: unknown): boolean {
  return isGatehouseError(err) && err.code === "store_conflict";
}

/** The `store_conflict` a concurrent change of the same key ends in. */
export function concurrentChange(): GatehouseError {
  return new GatehouseError("store_conflict", "The API key was changed concurrently; retry.");
}
