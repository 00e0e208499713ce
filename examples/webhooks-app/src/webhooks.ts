import type { Clock, EventBus } from "@gatehouse/core";
import type { SqlStore } from "@gatehouse/store-sql";
import { createWebhookReceiver, createWebhookSender, syncClerk } from "@gatehouse/webhooks";

/** Options of {@link createWebhooks}. */
export interface WebhooksOptions {
  readonly store: SqlStore;
  /** The `whsec_…` signing secret of the Clerk endpoint (`CLERK_WEBHOOK_SECRET`). */
  readonly clerkSecret: string;
  /** At least 32 characters: seals the secrets of our own endpoints at rest (`GATEHOUSE_SECRET`). */
  readonly senderSecret: string;
  /**
   * Private hosts our endpoints may point at. `["127.0.0.1"]` in development,
   * so an endpoint on this machine can be tried; none in production (SSRF).
   */
  readonly allowedHosts: readonly string[];
  /** Where `webhook.*` events go (the server logs them). */
  readonly events?: EventBus;
  /** For tests. @default the system clock */
  readonly clock?: Clock;
}

/**
 * The app's two sides of webhooks: the Clerk receiver (message ids
 * deduplicated in the store's key-value table; `syncClerk` mirrors users,
 * organizations and memberships into its record tables) and the sender of
 * our own webhooks (the outbox in the same SQLite file).
 */
export function createWebhooks(o: WebhooksOptions) {
  const clock = o.clock === undefined ? {} : { clock: o.clock };
  const events = o.events === undefined ? {} : { events: o.events };
  const receiver = createWebhookReceiver({
    secrets: o.clerkSecret,
    kv: o.store.kv,
    ...clock,
    ...events,
  });
  syncClerk(receiver, { records: o.store.records });
  const sender = createWebhookSender({
    records: o.store.records,
    secret: o.senderSecret,
    allowedHosts: o.allowedHosts,
    ...clock,
    ...events,
  });
  return { receiver, sender };
}
