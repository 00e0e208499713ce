import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runKeyValueStoreTests } from "@gatehouse/adapter-tests";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileStore } from "../src/index.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-file-store-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The published conformance suite: the contract, including 100-way races.
// Every test may share the directory: the suite gives each its own key prefix.
runKeyValueStoreTests("file store", {
  create: () => createFileStore(dir),
  createUnavailable: () => createFileStore("/nonexistent/readonly/path"),
});

const fileOf = (key: string) => join(dir, `${createHash("sha256").update(key).digest("hex")}.json`);

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

// Behaviour specific to this adapter, beyond the contract.
describe("file store: layout and failure modes", () => {
  it("keeps one file per key, named by the key's hash, holding { expiresAt, value }", async () => {
    const clock = manualClock();
    const store = createFileStore(dir, { clock });
    await store.set("layout:a", { n: 1 }, { ttlMs: 1000 });
    expect(JSON.parse(await readFile(fileOf("layout:a"), "utf8"))).toEqual({
      expiresAt: clock.now() + 1000,
      value: { n: 1 },
    });
  });

  it("treats an expired file as absent, and setIfAbsent replaces it", async () => {
    const clock = manualClock();
    const store = createFileStore(dir, { clock });
    await store.set("expired:a", "old", { ttlMs: 10 });
    clock.advance(10);
    expect(await store.get("expired:a")).toBeUndefined();
    expect(await store.setIfAbsent("expired:a", "new")).toBe(true);
    expect(await store.get("expired:a")).toBe("new");
  });

  it("keeps a counter's expiry from its creation (the window never slides)", async () => {
    const clock = manualClock();
    const store = createFileStore(dir, { clock });
    expect(await store.increment("window:a", { ttlMs: 100 })).toBe(1);
    clock.advance(60);
    expect(await store.increment("window:a", { ttlMs: 100 })).toBe(2);
    clock.advance(40);
    expect(await store.get("window:a")).toBeUndefined();
    expect(await store.increment("window:a", { ttlMs: 100 })).toBe(1);
  });

  it("breaks a lock left by a crashed process once it is stale", async () => {
    const store = createFileStore(dir, { staleLockMs: 1000 });
    const lock = fileOf("stale:a").replace(/\.json$/, ".lock");
    await writeFile(lock, "");
    const old = new Date(Date.now() - 2000);
    await utimes(lock, old, old);
    expect(await store.increment("stale:a")).toBe(1);
  });

  it("fails with store_unavailable, not a hang, when a live lock is never released", async () => {
    const store = createFileStore(dir, { lockTimeoutMs: 100 });
    await writeFile(fileOf("held:a").replace(/\.json$/, ".lock"), "");
    await expect(store.set("held:a", 1)).rejects.toMatchObject({ code: "store_unavailable" });
  });

  it("fails with store_unavailable on a corrupt file", async () => {
    const store = createFileStore(dir);
    await writeFile(fileOf("corrupt:a"), "{not json");
    await expect(store.get("corrupt:a")).rejects.toMatchObject({ code: "store_unavailable" });
  });

  it("fails every operation with store_unavailable when the directory is missing", async () => {
    const store = createFileStore(join(dir, "missing"));
    await expect(store.get("k")).rejects.toMatchObject({ code: "store_unavailable" });
    await expect(store.set("k", 1)).rejects.toMatchObject({ code: "store_unavailable" });
    await expect(store.setIfAbsent("k", 1)).rejects.toMatchObject({ code: "store_unavailable" });
    await expect(store.consume("k")).rejects.toMatchObject({ code: "store_unavailable" });
    await expect(store.increment("k")).rejects.toMatchObject({ code: "store_unavailable" });
    await expect(store.delete("k")).rejects.toMatchObject({ code: "store_unavailable" });
  });

  it("rejects invalid input with store_invalid before touching the disk", async () => {
    const store = createFileStore(join(dir, "missing"));
    await expect(store.set("has space", 1)).rejects.toMatchObject({ code: "store_invalid" });
    await expect(store.set("k", 1, { ttlMs: 0 })).rejects.toMatchObject({ code: "store_invalid" });
    await expect(store.increment("k", { by: 1.5 })).rejects.toMatchObject({
      code: "store_invalid",
    });
  });

  it("serialises 100 concurrent increments in one process", async () => {
    const store = createFileStore(dir);
    const values = await Promise.all(Array.from({ length: 100 }, () => store.increment("burst:a")));
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const leftovers = (await readdir(dir)).filter((n) => n.endsWith(".tmp"));
    expect(leftovers).toEqual([]);
  });
});
