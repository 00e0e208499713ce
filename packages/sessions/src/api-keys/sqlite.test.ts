/** The main API-key flows once on SQLite, through the real core verifier. */
import { createSqliteStore, type SqlStore } from "@gatehouse/store-sql";
import { createFakeClock } from "@gatehouse/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiKeyModel } from "../models.js";
import { type Harness, harness } from "./test-helpers.js";

describe("API keys on SQLite", () => {
  let store: SqlStore;
  let h: Harness;

  beforeEach(async () => {
    const clock = createFakeClock();
    store = createSqliteStore(":memory:", { models: [apiKeyModel], clock });
    await store.migrate();
    h = harness({ records: store.records, kv: store.kv, clock });
  });

  afterEach(async () => {
    await store.close();
  });

  it("creates, verifies, lists, rotates and revokes", async () => {
    const one = h.instance();
    const two = h.instance();
    const a = await one.keys.create({
      subject: "u",
      name: "a",
      scopes: ["x:read"],
      expiresInSec: 600,
    });
    h.clock.advance(1000);
    const b = await one.keys.create({ subject: "u", name: "b", kind: "publishable" });
    expect(await one.bearer(a.key)).toMatchObject({ isSignedIn: true, scopes: ["x:read"] });
    expect(await one.bearer(b.key)).toMatchObject({ claims: { key_kind: "publishable" } });

    const listed = await one.keys.list("u", { limit: 1 });
    expect(listed.items.map((k) => k.name)).toEqual(["b"]);
    const next = await one.keys.list("u", { limit: 1, cursor: listed.nextCursor! });
    expect(next.items.map((k) => k.name)).toEqual(["a"]);

    const rotations = await Promise.allSettled([
      one.keys.rotate(a.apiKey.id, { overlapSec: 60 }),
      two.keys.rotate(a.apiKey.id, { overlapSec: 60 }),
    ]);
    expect(rotations.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const fresh = rotations.find((r) => r.status === "fulfilled")!.value;
    expect((await one.keys.list("u", { includeEnded: true })).items).toHaveLength(3);
    expect(await one.bearer(fresh.key)).toMatchObject({ isSignedIn: true, scopes: ["x:read"] });
    h.clock.advance(60_000);
    expect(await one.bearer(a.key)).toMatchObject({ reason: "api_key_expired" });

    expect((await two.bearer(b.key)).isSignedIn).toBe(true);
    expect(await one.keys.revoke(b.apiKey.id, { by: "admin" })).toBe(true);
    expect(await one.keys.revoke(b.apiKey.id)).toBe(false);
    await two.revocations.sync();
    expect(await two.bearer(b.key)).toMatchObject({ reason: "api_key_revoked" });
    expect(await one.keys.get(b.apiKey.id)).toMatchObject({ status: "revoked" });
  });

  it("refuses a key of another app sharing the database", async () => {
    const other = h.instance({ secret: "another-app-secret-on-the-same-sqlite-file" });
    const { key } = await other.keys.create({ subject: "u", name: "n" });
    expect(await h.instance().bearer(key)).toMatchObject({ reason: "api_key_invalid" });
  });

  it("throttles lastUsedAt writes", async () => {
    const { keys, bearer } = h.instance();
    const { key, apiKey } = await keys.create({ subject: "u", name: "n" });
    await bearer(key);
    await h.records.idle();
    expect((await keys.get(apiKey.id))?.lastUsedAt).toBe(h.clock.now());
    h.clock.advance(61_000);
    await bearer(key);
    expect(h.records.calls.update).toBe(1);
  });
});
