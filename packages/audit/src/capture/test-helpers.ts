// Test helpers of the capture tests: a log that keeps what it is given, and a bus with a frozen clock.
import { createEventBus, type EventBus } from "@gatehouse/core";
import type { AuditEventInput } from "../event.js";
import type { AuditLog } from "../types.js";

/** A log that keeps every `record()` input. */
export function memoryLog(): Pick<AuditLog, "record"> & { readonly events: AuditEventInput[] } {
  const events: AuditEventInput[] = [];
  return {
    events,
    record(event) {
      events.push(event);
    },
  };
}

/** The time of every event of {@link testBus}. */
export const AT = 1_767_225_600_000;

/** A bus whose clock is frozen at {@link AT}; listener errors are collected. */
export function testBus(): {
  bus: EventBus;
  errors: unknown[];
  emit(type: string, data: unknown): void;
} {
  const errors: unknown[] = [];
  const bus = createEventBus({ clock: { now: () => AT }, onListenerError: (e) => errors.push(e) });
  // The packages that declare these events are not dependencies of this one.
  const emit = (type: string, data: unknown) =>
    (bus.emit as (type: string, data: unknown) => unknown)(type, data);
  return { bus, errors, emit };
}
