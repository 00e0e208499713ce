/**
 * Internal: the stores and services the tests of this package run on.
 * Imported by *.test.ts files only, never by the package.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { type Clock, createEventBus, type EventEnvelope } from "@gatehouse/core";
import {
  createMemoryKeyValueStore,
  createMemoryRecordStore,
  type KeyValueStore,
  type RecordStore,
} from "@gatehouse/core/store";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import { createFakeClock, type FakeClock } from "@gatehouse/testing";
import { afterAll, beforeAll, inject } from "vitest";
import { sessionModels } from "./models.js";
import type { SessionsOptions } from "./options.js";
import { createSessions } from "./sessions.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

export const ISSUER = "https://app.example.test";
export const SECRET = "test-secret-test-secret-test-secret-0123";

/** One backend both stores live on. */
export interface Backend {
  readonly records: RecordStore;
  readonly kv: KeyValueStore;
  close(): Promise<void>;
}

/** The backends race tests run on: memory, SQLite (in memory) and PostgreSQL. */
export const BACKENDS: ReadonlyArray<{
  name: string;
  open(clock: Clock): Promise<Backend>;
}> = [
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
      const store = createSqliteStore(":memory:", { models: sessionModels, clock });
      await store.migrate();
      return { records: store.records, kv: store.kv, close: () => store.close() };
    },
  },
  {
    name: "postgres",
    async open(clock) {
      const url = process.env.GATEHOUSE_TEST_PG_URL ?? inject("pgUrl");
      const store = createPostgresStore(url, {
        models: sessionModels,
        clock,
        tablePrefix: `t_sess_${randomBytes(3).toString("hex")}_`,
      });
      await store.migrate();
      return { records: store.records, kv: store.kv, close: () => store.close() };
    },
  },
];

/** A service on memory stores (or `backend`) under a fake clock, recording its events. */
export function setup(
  overrides: Partial<SessionsOptions> = {},
  backend?: Pick<Backend, "records" | "kv">,
  clock: FakeClock = createFakeClock(),
) {
  const events: EventEnvelope[] = [];
  const bus = createEventBus({ clock });
  bus.on("*", (e) => {
    events.push(e as EventEnvelope);
  });
  const records = backend?.records ?? createMemoryRecordStore({ clock });
  const kv = backend?.kv ?? createMemoryKeyValueStore({ clock });
  const sessions = createSessions({
    records,
    kv,
    issuer: ISSUER,
    secret: SECRET,
    clock,
    events: bus,
    accessToken: { algorithm: "ES256" },
    ...overrides,
  });
  const ofType = (type: string) => events.filter((e) => e.type === type);
  return { sessions, records, kv, clock, events, ofType };
}

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
