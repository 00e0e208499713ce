/**
 * Forwarding the Gatehouse event bus to outgoing webhooks.
 *
 * @packageDocumentation
 */
import type { EventBus, EventEnvelope } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { EVENT_FILTER, matchesEventType } from "./event-types.js";
import type { WebhookSender } from "./sender.js";

/** Options of {@link forwardEvents}. */
export interface ForwardEventsOptions {
  /** Event types to forward: exact names or `prefix.*`. @default every type */
  readonly types?: readonly string[];
  /**
   * The tenant an event belongs to (e.g. `(e) => e.data.orgId`), so it reaches
   * that tenant's endpoints; `null`/`undefined` sends it to the app's own. @default none
   */
  readonly tenantOf?: (event: EventEnvelope) => string | null | undefined;
}

/**
 * Sends every event of `bus` as a webhook: type = the event type, payload =
 * `{ id, type, timestamp, data }` (timestamp in ISO 8601, as Standard Webhooks
 * suggests), idempotency key = the event id. `webhook.*` events are never
 * forwarded (a failing endpoint would feed itself). A failing `send` goes to
 * the bus's listener-error path, never to the emitter. Returns the
 * unsubscribe function.
 *
 * @example
 * ```ts
 * const stop = forwardEvents(events, sender, { types: ["user.*", "session.revoked"] });
 * ```
 */
export function forwardEvents(
  bus: EventBus,
  sender: Pick<WebhookSender, "send">,
  options: ForwardEventsOptions = {},
): () => void {
  const types = options.types === undefined ? null : [...options.types];
  if (types !== null && !types.every((t) => typeof t === "string" && EVENT_FILTER.test(t))) {
    throw new GatehouseError(
      "config_invalid",
      'forwardEvents(): option "types": each entry must be an event type or a prefix ending in .*',
    );
  }
  const tenantOf = options.tenantOf;
  return bus.on("*", (event: EventEnvelope) => {
    if (event.type.startsWith("webhook.") || !matchesEventType(types, event.type)) return;
    const tenantId = tenantOf?.(event) ?? undefined;
    return sender
      .send(
        event.type,
        {
          id: event.id,
          type: event.type,
          timestamp: new Date(event.at).toISOString(),
          data: event.data as unknown,
        },
        {
          idempotencyKey:
            tenantId === undefined ? `event:${event.id}` : `event:${event.id}:${tenantId}`,
          ...(tenantId === undefined ? {} : { tenantId }),
        },
      )
      .then(() => undefined);
  });
}
