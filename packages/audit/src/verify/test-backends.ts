// Test helper (imported by *.test.ts only): the stores these tests run on —
// memory, SQLite (in memory) and PostgreSQL (the run's throwaway server) —
// with the audit models migrated. Same shape as webhooks' test backends.
import { randomBytes } from "node:crypto";
import type { Clock } from "@gatehouse/core";
import { createMemoryRecordStore, type RecordStore } from "@gatehouse/core/store";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import { createFakeClock } from "@gatehouse/testing";
import { afterAll, beforeAll, inject } from "vitest";
import { auditModels } from "../model.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** Every model the audit tests store. */
export const TEST_MODELS = auditModels;

/** An opened store. */
export interface Backend {
  readonly records: RecordStore;
  close(): Promise<void>;
}

/** The test PostgreSQL URL. */
export const testPgUrl = (): string => process.env.GATEHOUSE_TEST_PG_URL ?? inject("pgUrl");

/** A table prefix no other test uses. */
export const uniquePrefix = (name: string): string =>
  `t_${name}_${randomBytes(3).toString("hex")}_`;

/** The three backends, each opening a fresh, migrated store. */
export const BACKENDS: { name: string; open(clock: Clock): Promise<Backend> }[] = [
  {
    name: "memory",
    async open(clock) {
      return { records: createMemoryRecordStore({ clock }), close: async () => {} };
    },
  },
  {
    name: "sqlite",
    async open(clock) {
      const store = createSqliteStore(":memory:", { models: TEST_MODELS, clock });
      await store.migrate();
      return { records: store.records, close: () => store.close() };
    },
  },
  {
    name: "postgres",
    async open(clock) {
      const store = createPostgresStore(testPgUrl(), {
        models: TEST_MODELS,
        clock,
        tablePrefix: uniquePrefix("audit"),
      });
      await store.migrate();
      return { records: store.records, close: () => store.close() };
    },
  },
];

/** Opens a fresh backend before a block's tests (which use distinct streams) and closes it after. */
export function useBackend(open: (clock: Clock) => Promise<Backend>) {
  const clock = createFakeClock();
  const holder = { records: undefined as unknown as RecordStore, clock };
  let backend: Backend | undefined;
  beforeAll(async () => {
    backend = await open(clock);
    holder.records = backend.records;
  });
  afterAll(async () => {
    await backend?.close();
  });
  return holder;
}
