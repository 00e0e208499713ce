/**
 * Internal: the stores this package's tests run on — memory, SQLite (in
 * memory) and PostgreSQL (the run's throwaway server) — for any models.
 * Imported by test helpers only, never by the package.
 *
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "@gatehouse/core";
import {
  createMemoryKeyValueStore,
  createMemoryRecordStore,
  type KeyValueStore,
  type ModelSchema,
  type RecordStore,
} from "@gatehouse/core/store";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import { afterAll, beforeAll, inject } from "vitest";

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

/** A backend a test can open. */
export interface BackendKind {
  readonly name: string;
  open(clock: Clock): Promise<Backend>;
}

/** The three backends, with `models` migrated (PostgreSQL tables under a fresh `prefix`). */
export function testBackends(models: readonly ModelSchema[], prefix: string): BackendKind[] {
  return [
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
        const store = createSqliteStore(":memory:", { models, clock });
        await store.migrate();
        return { records: store.records, kv: store.kv, close: () => store.close() };
      },
    },
    {
      name: "postgres",
      async open(clock) {
        const url = process.env.GATEHOUSE_TEST_PG_URL ?? inject("pgUrl");
        const store = createPostgresStore(url, {
          models,
          clock,
          tablePrefix: `t_${prefix}_${randomBytes(3).toString("hex")}_`,
        });
        await store.migrate();
        return { records: store.records, kv: store.kv, close: () => store.close() };
      },
    },
  ];
}

/** Opens a backend before a describe block's tests and closes it after; read `.current` in tests. */
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
