/**
 * Internal: the stores the Clerk sync tests run on (memory, SQLite and
 * PostgreSQL, as in `@gatehouse/sessions`), and a receiver wired to them.
 * Imported by *.test.ts files only, never by the package.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { createFakeClock, type FakeClock } from "@gatehouse/testing";
import { createWebhookReceiver } from "../inbound/receiver.js";
import { SECRET, signed } from "../inbound/test-helpers.js";
import { type Backend, testBackends, useBackend } from "../test-backends.js";
import type { ClerkEventType } from "./events.js";
import { type ClerkSampleOverrides, clerkSampleEvent } from "./fixtures.js";
import { clerkSyncModels } from "./models.js";
import { syncClerk } from "./sync.js";

/** The backends the tests run on: memory, SQLite (in memory) and PostgreSQL. */
export const BACKENDS = testBackends(clerkSyncModels, "whk");

/** A Clerk receiver with `syncClerk` on `backend` (memory by default), and a way to send it events. */
export function syncSetup(
  backend?: Pick<Backend, "records" | "kv">,
  clock: FakeClock = createFakeClock(),
) {
  const records = backend?.records ?? createMemoryRecordStore({ clock });
  const kv = backend?.kv ?? createMemoryKeyValueStore({ clock });
  const receiver = createWebhookReceiver({ secrets: SECRET, kv, clock });
  syncClerk(receiver, { records });
  /** Delivers a sample event of `type` (a new message id each time). */
  const send = <K extends ClerkEventType>(type: K, overrides: ClerkSampleOverrides<K> = {}) =>
    receiver.handle(signed(clerkSampleEvent(type, overrides), clock));
  return { receiver, records, kv, clock, send };
}

/** A fresh Clerk-shaped id, so tests on a shared backend never collide. */
export const freshId = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

export { type Backend, useBackend };
