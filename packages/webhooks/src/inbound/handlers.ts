/**
 * Internal: the handlers of a receiver, in one list so that handlers run in
 * registration order whether added with `on`, `onUnknown` or `onAny`.
 *
 * @packageDocumentation
 */
import type { WebhookContext } from "./types.js";

/** A handler as stored: its event type is checked at registration, not here. */
type StoredHandler = (event: never, ctx: WebhookContext) => void | Promise<void>;

interface Registration {
  /** A type name, `UNKNOWN` for unknown types, or `ANY` for every event. */
  readonly match: string | symbol;
  readonly handler: StoredHandler;
}

/** Matches events whose type has no schema. */
export const UNKNOWN: unique symbol = Symbol("unknown");
/** Matches every event. */
export const ANY: unique symbol = Symbol("any");

/** The handlers of one receiver. */
export interface HandlerRegistry {
  add(match: string | symbol, handler: StoredHandler): () => void;
  /** The handlers an event of `type` runs, in registration order (a snapshot). */
  matching(
    type: string,
    known: boolean,
  ): ReadonlyArray<(event: unknown, ctx: WebhookContext) => unknown>;
}

/** Creates an empty registry. */
export function createHandlerRegistry(): HandlerRegistry {
  let list: readonly Registration[] = [];
  return {
    add(match, handler) {
      const registration: Registration = { match, handler };
      list = [...list, registration];
      return () => {
        list = list.filter((r) => r !== registration);
      };
    },
    matching(type, known) {
      const out: Array<(event: unknown, ctx: WebhookContext) => unknown> = [];
      for (const { match, handler } of list) {
        if (match === ANY || match === (known ? type : UNKNOWN)) {
          out.push(handler as (event: unknown, ctx: WebhookContext) => unknown);
        }
      }
      return out;
    },
  };
}
