/**
 * What the session operations share: resolved options, stores, clock, the
 * key ring and the revocation list. Internal; built once by `createSessions()`.
 *
 * @packageDocumentation
 */
import type { Clock, EventBus } from "@gatehouse/core";
import type { KeyValueStore, RecordStore, StoredRecord } from "@gatehouse/core/store";
import type { SecretRing } from "./crypto.js";
import type { DeviceRegistry } from "./devices.js";
import type { sessionModel } from "./models.js";
import type { ResolvedOptions } from "./options.js";
import type { RevocationList } from "./revocation-list.js";
import type { SigningKeys } from "./types.js";

/** A stored session. */
export type SessionRecord = StoredRecord<typeof sessionModel>;

/** The shared state of one `createSessions()` service. */
export interface SessionContext {
  readonly options: ResolvedOptions;
  readonly records: RecordStore;
  /** The KeyValueStore, namespaced `sessions:`. */
  readonly kv: KeyValueStore;
  readonly clock: Clock;
  readonly events: EventBus | undefined;
  readonly secrets: SecretRing;
  readonly keys: SigningKeys;
  readonly revocations: RevocationList;
  readonly devices: DeviceRegistry;
}
