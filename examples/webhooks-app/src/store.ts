import type { Clock } from "@gatehouse/core";
import { createSqliteStore, type SqlStore } from "@gatehouse/store-sql";
import { clerkSyncModels, webhookSenderModels } from "@gatehouse/webhooks";

/**
 * Opens the SQLite file (the embedded default) with the tables of the Clerk
 * mirror and of the outbox, and creates them. Message ids of received
 * webhooks live in the store's key-value table.
 */
export async function openStore(file: string, clock?: Clock): Promise<SqlStore> {
  const store = createSqliteStore(file, {
    models: [...clerkSyncModels, ...webhookSenderModels],
    ...(clock === undefined ? {} : { clock }),
  });
  await store.migrate();
  return store;
}
