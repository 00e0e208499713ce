// Test helper (imported by *.test.ts only): the record stores this package's
// log and sink tests run on — memory, SQLite (in memory, and a file whose
// batches are written on a worker thread) and PostgreSQL (the run's throwaway
// server) — with the audit model migrated, and a switch that makes a store
// refuse writes as an outage would.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailableError } from "@gatehouse/core/errors";
import { createMemoryRecordStore, type RecordStore } from "@gatehouse/core/store";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import { inject } from "vitest";
import type { AuditEvent } from "../event.js";
import { auditEventModel, auditModels } from "../model.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** An open store. */
export interface Backend {
  readonly records: RecordStore;
  close(): Promise<void>;
}

/** A backend a test can open. */
export interface BackendKind {
  readonly name: string;
  open(): Promise<Backend>;
}

/** The PostgreSQL URL of this test run. */
export const pgUrl = (): string => process.env.GATEHOUSE_TEST_PG_URL ?? inject("pgUrl");

/** The four backends, with `auditModels` migrated (PostgreSQL tables under a fresh prefix). */
export function testBackends(): BackendKind[] {
  return [
    {
      name: "memory",
      open: async () => ({ records: createMemoryRecordStore(), close: async () => {} }),
    },
    {
      name: "sqlite",
      async open() {
        const store = createSqliteStore(":memory:", { models: auditModels });
        await store.migrate();
        return { records: store.records, close: () => store.close() };
      },
    },
    {
      name: "sqlite-worker", // a file; createMany on the writer thread
      async open() {
        const dir = mkdtempSync(join(tmpdir(), "gh-audit-db-"));
        const store = createSqliteStore(join(dir, "audit.db"), {
          models: auditModels,
          bulkWrites: "worker",
        });
        await store.migrate();
        return {
          records: store.records,
          async close() {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: "postgres",
      async open() {
        const store = createPostgresStore(pgUrl(), {
          models: auditModels,
          tablePrefix: `t_audit_${randomBytes(3).toString("hex")}_`,
        });
        await store.migrate();
        return { records: store.records, close: () => store.close() };
      },
    },
  ];
}

/** `records` with a switch: while `down`, every call rejects `store_unavailable`. */
export function switchable(records: RecordStore): { records: RecordStore; down: boolean } {
  const state = { down: false, records: undefined as unknown as RecordStore };
  state.records = new Proxy(records, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (state.down)
          return Promise.reject(new StoreUnavailableError("the store is down (test)"));
        return value.apply(target, args);
      };
    },
  });
  return state;
}

/** Every stored event, paging by id. */
export async function storedEvents(records: RecordStore): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.findMany(auditEventModel, {
      orderBy: { field: "id" },
      limit: 1000,
      ...(cursor && { cursor }),
    });
    for (const { version, createdAt, updatedAt, position, ...event } of page.items) {
      out.push(event as AuditEvent);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
