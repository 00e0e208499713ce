// Test-only helpers (imported by *.test.ts files, never by the package).
import { randomBytes } from "node:crypto";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** The test PostgreSQL (from test/setup/services.ts, or the environment). */
export function pgUrl(): string {
  const url = process.env.GATEHOUSE_TEST_PG_URL ?? inject("pgUrl");
  if (!url) throw new Error("no test PostgreSQL: run through the root vitest config");
  return url;
}

/** A table prefix no other test file or run uses. */
export function uniquePrefix(name: string): string {
  return `t_${name}_${randomBytes(3).toString("hex")}_`;
}

/** A URL on which nothing listens. */
export const UNREACHABLE_PG = "postgres://postgres@127.0.0.1:1/gatehouse_nowhere";
