import pg from "pg";
import { describe, expect, it } from "vitest";
import { createPostgresStore } from "./connect.js";
import { pgUrl, uniquePrefix } from "./internal/test-env.js";

describe("close()", () => {
  it("regression: returns within timeoutMs when the app ended its pool under a background sweep", async () => {
    const pool = new pg.Pool({ connectionString: pgUrl(), max: 4 });
    const store = createPostgresStore(pool, {
      sweepEvery: 1,
      timeoutMs: 500,
      tablePrefix: uniquePrefix("close"),
    });
    await store.migrate();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.kv.set(`k${i}`, i, { ttlMs: 1 })));
    await pool.end();
    const started = performance.now();
    await store.close();
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
