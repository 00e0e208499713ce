/**
 * Throttled `lastUsedAt` writes: at most one per key per interval on this
 * instance, in the background, so verification neither waits for nor fails
 * on them.
 *
 * @internal
 */
import type { RecordStore } from "@gatehouse/core/store";
import { apiKeyModel } from "../models.js";

const noop = () => {};

/** Remembers when this instance last wrote each key's `lastUsedAt` (bounded, oldest forgotten first). */
export class LastUsedWriter {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly records: RecordStore,
    private readonly intervalMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Records a use of key `id` at `now`, unless one was written less than the interval ago. */
  touch(id: string, now: number): void {
    const last = this.written.get(id);
    if (last !== undefined && now - last < this.intervalMs) return;
    this.written.delete(id);
    if (this.written.size >= this.maxEntries) {
      this.written.delete(this.written.keys().next().value as string);
    }
    this.written.set(id, now);
    try {
      this.records.update(apiKeyModel, id, { lastUsedAt: now }).catch(noop);
    } catch {
      // A store that throws synchronously must not fail the request either.
    }
  }
}
