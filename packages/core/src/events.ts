import { randomUUID } from "node:crypto";
import { type Clock, systemClock } from "./clock.js";

/**
 * The events Gatehouse packages emit, by name. Each package adds its own by
 * module augmentation, so listeners are typed end to end:
 *
 * @example
 * ```ts
 * declare module "@gatehouse/core" {
 *   interface GatehouseEvents {
 *     "authz.denied": { userId: string | null; rule: string };
 *   }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by module augmentation
export interface GatehouseEvents {}

/** The name of a declared event. */
export type EventName = keyof GatehouseEvents & string;

/** An emitted event: its name, a unique id, when it happened, and its data. */
export interface EventEnvelope<K extends EventName = EventName> {
  readonly type: K;
  /** Unique per event, for idempotent consumers (audit, outbound webhooks). */
  readonly id: string;
  /** Milliseconds since the epoch, from the bus's clock. */
  readonly at: number;
  readonly data: Readonly<GatehouseEvents[K]>;
}

/** A listener; it may be async. Its failures never reach the code that emitted. */
export type EventListener<K extends EventName = EventName> = (
  event: EventEnvelope<K>,
) => void | Promise<void>;

/** Options of {@link createEventBus}. */
export interface EventBusOptions {
  /** The source of `at`. @default the system clock */
  clock?: Clock;
  /**
   * Called when a listener throws or rejects.
   * @default emits a process warning with code `GATEHOUSE_EVENT_LISTENER`
   */
  onListenerError?: (error: unknown, event: EventEnvelope) => void;
}

/**
 * Security-relevant actions are published here (`signin.succeeded`,
 * `authz.denied`, …); audit logs and outbound webhooks subscribe. Packages
 * never call each other for this.
 */
export interface EventBus {
  /**
   * Publishes an event to the listeners of its name and of `"*"`, in
   * subscription order. Returns at once: listeners run synchronously up to
   * their first `await`, and a failing listener affects neither the emitter
   * nor the other listeners.
   */
  emit<K extends EventName>(type: K, data: GatehouseEvents[K]): EventEnvelope<K>;
  /** Subscribes to one event, or to every event with `"*"`; returns the unsubscribe function. */
  on<K extends EventName>(type: K, listener: EventListener<K>): () => void;
  on(type: "*", listener: EventListener): () => void;
}

/**
 * Creates an in-process event bus.
 *
 * @example
 * ```ts
 * const events = createEventBus();
 * events.on("*", (event) => auditLog.write(event));
 * ```
 */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const clock = options.clock ?? systemClock;
  const listeners = new Map<string, Set<EventListener>>();
  const report =
    options.onListenerError ??
    ((error: unknown, event: EventEnvelope) => {
      process.emitWarning(
        `A listener of "${event.type}" failed: ${error instanceof Error ? error.message : String(error)}`,
        { code: "GATEHOUSE_EVENT_LISTENER", type: "GatehouseWarning" },
      );
    });

  function deliver(listener: EventListener, event: EventEnvelope): void {
    try {
      const result = listener(event);
      if (result instanceof Promise) result.catch((error: unknown) => report(error, event));
    } catch (error) {
      report(error, event);
    }
  }

  return Object.freeze({
    emit<K extends EventName>(type: K, data: GatehouseEvents[K]): EventEnvelope<K> {
      const event = Object.freeze({
        type,
        id: randomUUID(),
        at: clock.now(),
        data,
      }) as EventEnvelope<K>;
      // Copies, so a listener that (un)subscribes during delivery does not change this delivery.
      for (const listener of [...(listeners.get(type) ?? [])]) deliver(listener, event);
      for (const listener of [...(listeners.get("*") ?? [])]) deliver(listener, event);
      return event;
    },
    on(type: string, listener: EventListener): () => void {
      let set = listeners.get(type);
      if (set === undefined) {
        set = new Set();
        listeners.set(type, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  }) as EventBus;
}
