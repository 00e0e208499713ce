/**
 * Shared set-up of the API-key tests: memory stores under a fake clock, a
 * store wrapper that counts calls, and a real core verifier.
 *
 * @internal
 */
import {
  apiKeys,
  createEventBus,
  createVerifier,
  type EventEnvelope,
  type KeyValueStore,
  type RecordStore,
  type Verifier,
} from "@gatehouse/core";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { createFakeClock, type FakeClock } from "@gatehouse/testing";
import { SecretRing } from "../crypto.js";
import { RevocationList } from "../revocation-list.js";
import type { ApiKeys } from "../types.js";
import { type ApiKeysOptions, createApiKeys } from "./api-keys.js";

/** The app secret of the tests (another app uses {@link OTHER_SECRET}). */
export const SECRET = "test-app-secret-0123456789abcdefghijklmnopqrstuvwxyz";
/** The secret of another app sharing the database. */
export const OTHER_SECRET = "other-app-secret-0123456789abcdefghijklmnopqrstuvwxyz";

/** The RecordStore methods the wrapper counts (the required ones). */
type CountedMethod = "create" | "findOne" | "findMany" | "update" | "delete";

/** A {@link RecordStore} that counts calls per method. */
export interface CountingRecordStore extends RecordStore {
  readonly calls: Record<CountedMethod, number>;
  /** Resolves once every call made so far has settled (background writes included). */
  idle(): Promise<void>;
}

/** Wraps `inner`, counting each method's calls. */
export function counting(inner: RecordStore): CountingRecordStore {
  const calls = { create: 0, findOne: 0, findMany: 0, update: 0, delete: 0 };
  const pending: Promise<unknown>[] = [];
  function track<T>(method: CountedMethod, result: Promise<T>): Promise<T> {
    calls[method]++;
    pending.push(result.catch(() => {}));
    return result;
  }
  return {
    calls,
    async idle() {
      await Promise.all(pending);
    },
    create: (m, d) => track("create", inner.create(m, d)),
    findOne: (m, w) => track("findOne", inner.findOne(m, w)),
    findMany: (m, o) => track("findMany", inner.findMany(m, o)),
    update: (m, id, p, o) => track("update", inner.update(m, id, p, o)),
    delete: (m, id) => track("delete", inner.delete(m, id)),
  };
}

/** One app instance: its API-key service, revocation list and verifier. */
export interface Instance {
  readonly keys: ApiKeys;
  readonly revocations: RevocationList;
  readonly verifier: Verifier;
  readonly events: EventEnvelope[];
  /** Authenticates a request with `Authorization: Bearer <key>`. */
  bearer(key: string): ReturnType<Verifier["authenticate"]>;
}

/** Shared stores and a clock, and a way to start instances on them. */
export interface Harness {
  readonly clock: FakeClock;
  readonly records: CountingRecordStore;
  readonly kv: KeyValueStore;
  instance(options?: Partial<ApiKeysOptions> & { secret?: string }): Instance;
}

/** A harness on memory stores (or the given ones) and a fake clock. */
export function harness(
  stores: { records?: RecordStore; kv?: KeyValueStore; clock?: FakeClock } = {},
): Harness {
  const clock = stores.clock ?? createFakeClock();
  const records = counting(stores.records ?? createMemoryRecordStore({ clock }));
  const kv = stores.kv ?? createMemoryKeyValueStore({ clock });
  return {
    clock,
    records,
    kv,
    instance({ secret = SECRET, ...options } = {}) {
      const revocations = new RevocationList({ kv, clock });
      const bus = createEventBus({ clock });
      const events: EventEnvelope[] = [];
      bus.on("*", (event) => {
        events.push(event);
      });
      const keys = createApiKeys({
        records,
        secrets: new SecretRing([secret]),
        clock,
        events: bus,
        revocations,
        ...options,
      });
      const verifier = createVerifier({
        issuers: [apiKeys({ resolver: keys.resolver, revocations })],
        clock,
      });
      return {
        keys,
        revocations,
        verifier,
        events,
        bearer: (key) => verifier.authenticate({ headers: { authorization: `Bearer ${key}` } }),
      };
    },
  };
}
