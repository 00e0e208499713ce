/**
 * Internal: the stores the Clerk sync tests run on (memory, SQLite and
 * PostgreSQL, as in `@gatehouse/sessions`), and a receiver wired to them.
 * Imported by *.test.ts files only, never by the package.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "@gatehouse/core";
import {
  createMemoryKeyValueStore,
  createMemoryRecordStore,
  type KeyValueStore,
  type RecordStore,
} from "@gatehouse/core/store";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import { createFakeClock, type FakeClock } from "@gatehouse/testing";
import { afterAll, beforeAll, inject } from "vitest";
import { createWebhookReceiver } from "../inbound/receiver.js";
import { SECRET, signed } from "../inbound/test-helpers.js";
import type { ClerkEventType } from "./events.js";
import { type ClerkSampleOverrides, clerkSampleEvent } from "./fixtures.js";
import { clerkSyncModels } from "./models.js";
import { syncClerk } from "./sync.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** One backend both stores live on. */
export interface Backend {
  readonly records: RecordStore;
  readonly kv: KeyValueStore;
  close(): Promise<void>;
}

/** The backends the sync runs on: memory, SQLite (in memory) and PostgreSQL. */
export const BACKENDS: ReadonlyArray<{ name: string; open(clock: Clock): Promise<Backend> }> = [
  {
    name: "memory",
    async open(clock) {
      return {
        records: createMemoryRecordStore({ clock }),
        kv: createMemoryKeyValueStore({ clock }),
        close: async () => {},
      };
    },
  },
  {
    name: "sqlite",
    async open(clock) {
      const store = createSqliteStore(":memory:", { models: clerkSyncModels, clock });
      await store.migrate();
      return { records: store.records, kv: store.kv, close: () => store.close() };
    },
  },
  {
    name: "postgres",
    async open(clock) {
      const url = process.env.GATEHOUSE_TEST_PG_URL ?? inject("pgUrl");
      const store = createPostgresStore(url, {
        models: clerkSyncModels,
        clock,
        tablePrefix: `t_whk_${randomBytes(3).toString("hex")}_`,
      });
      await store.migrate();
      return { records: store.records, kv: store.kv, close: () => store.close() };
    },
  },
];

/** Opens `backend` before a describe block's tests and closes it after; read `.current` in tests. */
export function useBackend(open: (clock: Clock) => Promise<Backend>, clock: Clock) {
  const holder: { current: Backend } = { current: undefined as unknown as Backend };
  beforeAll(async () => {
    holder.current = await open(clock);
  });
  afterAll(async () => {
    await holder.current?.close();
  });
  return holder;
}

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
