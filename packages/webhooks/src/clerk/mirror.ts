/**
 * Internal: writing one Clerk event into its record so that deliveries in any
 * order, and concurrent ones, end in the state of the newest event.
 *
 * - The newest event wins: one older than the record's `eventTimestamp` is
 *   dropped (so a late `created` never revives a deleted object, and a late
 *   `updated` never overwrites a newer one). In the same millisecond a
 *   deletion wins, then the larger Clerk `updated_at`; otherwise the first
 *   write stays (a redelivery changes nothing).
 * - Concurrent writers: updates carry `expectedVersion`; on `store_conflict`
 *   the record is read again and the rule applied again. Two creates race on
 *   the unique `clerkId`: the loser gets `store_duplicate`, reads, and applies
 *   the rule as an update.
 *
 * @packageDocumentation
 */
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import type {
  ModelSchema,
  RecordInput,
  RecordPatch,
  RecordStore,
  StoredRecord,
} from "@gatehouse/core/store";

/** The fields every mirrored model shares (see `models.ts`). */
type SyncModel = ModelSchema<SyncFields>;
type SyncFields = {
  clerkId: { type: "string"; required: true; unique: true };
  eventTimestamp: { type: "timestamp"; required: true };
  clerkUpdatedAt: { type: "timestamp" };
  clerkCreatedAt: { type: "timestamp" };
  deletedAt: { type: "timestamp" };
  data: { type: "json" };
};

/** One event, as it applies to one record. */
export interface MirrorChange<M extends ModelSchema> {
  readonly clerkId: string;
  /** The event's `timestamp` (ms). */
  readonly eventTimestamp: number;
  /** Clerk's `updated_at` in the event's data, if any. */
  readonly clerkUpdatedAt: number | null;
  /** A deletion: sets `deletedAt`, keeps the other columns. */
  readonly deleted: boolean;
  /** The columns to write (for a deletion, only those it knows; may be empty). */
  readonly fields: RecordPatch<M>;
}

/** What a change did. */
export type MirrorResult = "created" | "updated" | "stale";

/** Attempts before a write that keeps losing races gives up with `store_conflict`. */
const MAX_ATTEMPTS = 16;

const codeOf = (error: unknown) => (isGatehouseError(error) ? error.code : undefined);

/** Whether `change` is newer than what `current` holds. */
export function supersedes(
  change: Pick<MirrorChange<ModelSchema>, "eventTimestamp" | "clerkUpdatedAt" | "deleted">,
  current: { eventTimestamp: number; clerkUpdatedAt: number | null; deletedAt: number | null },
): boolean {
  if (change.eventTimestamp !== current.eventTimestamp) {
    return change.eventTimestamp > current.eventTimestamp;
  }
  if (change.deleted !== (current.deletedAt !== null)) return change.deleted;
  return (
    change.clerkUpdatedAt !== null &&
    current.clerkUpdatedAt !== null &&
    change.clerkUpdatedAt > current.clerkUpdatedAt
  );
}

/** Applies `change` to the record of its Clerk id in `model`. */
export async function mirror<M extends ModelSchema>(
  records: RecordStore,
  model: M,
  change: MirrorChange<M>,
): Promise<MirrorResult> {
  const m = model as unknown as SyncModel;
  const meta = {
    eventTimestamp: change.eventTimestamp,
    clerkUpdatedAt: change.clerkUpdatedAt,
    deletedAt: change.deleted ? change.eventTimestamp : null,
  };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = (await records.findOne(m, { clerkId: change.clerkId })) as
      | StoredRecord<SyncModel>
      | undefined;
    if (current === undefined) {
      try {
        await records.create(m, {
          ...change.fields,
          ...meta,
          clerkId: change.clerkId,
        } as RecordInput<SyncModel>);
        return "created";
      } catch (error) {
        if (codeOf(error) === "store_duplicate") continue;
        throw error;
      }
    }
    if (!supersedes(change, current)) return "stale";
    try {
      await records.update(m, current.id, { ...change.fields, ...meta } as RecordPatch<SyncModel>, {
        expectedVersion: current.version,
      });
      return "updated";
    } catch (error) {
      if (codeOf(error) === "store_conflict") continue;
      throw error;
    }
  }
  throw new GatehouseError(
    "store_conflict",
    `${model.name}: gave up after ${MAX_ATTEMPTS} conflicting concurrent writes.`,
  );
}
