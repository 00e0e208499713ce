import { isGatehouseError, type RecordStore } from "@gatehouse/core";
import { createMemoryRecordStore } from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import { SecretRing } from "../crypto.js";
import { apiKeyModel } from "../models.js";
import { type ApiKeysOptions, createApiKeys } from "./api-keys.js";
import { harness, SECRET } from "./test-helpers.js";

const DAY = 86_400_000;

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isGatehouseError(err)) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

/** A store whose next versioned update is preceded by a lastUsedAt write of the same record. */
function withInterleavedTouch(inner: RecordStore): RecordStore {
  let armed = true;
  return {
    ...inner,
    async update(model, id, patch, options) {
      if (armed && options?.expectedVersion !== undefined) {
        armed = false;
        await inner.update(apiKeyModel, id, { lastUsedAt: 1 });
      }
      return inner.update(model, id, patch, options);
    },
  };
}

describe("createApiKeys() options", () => {
  it("refuses bad options at start-up with config_invalid", () => {
    const h = harness();
    const base = h.instance();
    const good = {
      records: h.records,
      secrets: new SecretRing(["s"]),
      clock: h.clock,
      revocations: base.revocations,
    } satisfies ApiKeysOptions;
    for (const bad of [
      { ...good, records: {} },
      { ...good, prefix: "GH" },
      { ...good, prefix: "g_h" },
      { ...good, cacheTtlSec: -1 },
      { ...good, maxKeysPerSubject: 0 },
      { ...good, lastUsedWriteIntervalSec: 1.5 },
      { ...good, typo: true },
    ]) {
      expect(() => createApiKeys(bad as ApiKeysOptions)).toThrow(
        expect.objectContaining({ code: "config_invalid" }),
      );
    }
  });
});

describe("create", () => {
  it("returns the key once and stores only a keyed hash", async () => {
    const h = harness();
    const { keys, events } = h.instance();
    const { key, apiKey } = await keys.create({
      subject: "user_1",
      orgId: "org_1",
      name: "CI",
      scopes: ["invoices:read", "invoices:write"],
      createdBy: "user_1",
    });
    expect(key).toMatch(/^gh_sk_[0-9A-Za-z]{61}$/);
    expect(apiKey).toMatchObject({
      kind: "secret",
      subject: "user_1",
      orgId: "org_1",
      name: "CI",
      scopes: ["invoices:read", "invoices:write"],
      displayPrefix: `${key.slice(0, 10)}…`,
      status: "active",
      createdAt: h.clock.now(),
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
      createdBy: "user_1",
      rotatedFrom: null,
      rotatedTo: null,
    });
    const stored = await h.records.findOne(apiKeyModel, { id: apiKey.id });
    expect(stored?.hash).toBe(new SecretRing([SECRET]).mac("api-key", key));
    expect(JSON.stringify(stored)).not.toContain(key.slice(6, -6));
    expect(stored?.lookupId).toBe(key.slice(6, 18));
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        "api_key.created",
        {
          keyId: apiKey.id,
          subject: "user_1",
          kind: "secret",
          scopes: ["invoices:read", "invoices:write"],
          createdBy: "user_1",
        },
      ],
    ]);
  });

  it("makes publishable keys and keys that expire", async () => {
    const { keys } = harness().instance();
    const now = Date.UTC(2026, 0, 1);
    const { key, apiKey } = await keys.create({
      subject: "u",
      name: "web",
      kind: "publishable",
      expiresInSec: 3600,
    });
    expect(key).toMatch(/^gh_pk_/);
    expect(apiKey.expiresAt).toBe(now + 3_600_000);
  });

  it("uses the configured prefix", async () => {
    const { keys } = harness().instance({ prefix: "acme" });
    const { key, apiKey } = await keys.create({ subject: "u", name: "n" });
    expect(key).toMatch(/^acme_sk_[0-9A-Za-z]{61}$/);
    expect(apiKey.displayPrefix).toBe(`${key.slice(0, 12)}…`);
  });

  it.each([
    ["subject", { subject: "", name: "n" }],
    ["subject", { subject: "x".repeat(256), name: "n" }],
    ["subject", { name: "n" }],
    ["name", { subject: "u", name: "" }],
    ["name", { subject: "u", name: "x".repeat(101) }],
    ["name", { subject: "u", name: "a\nb" }],
    ["scopes.0", { subject: "u", name: "n", scopes: ["Invoices:Read"] }],
    ["scopes.0", { subject: "u", name: "n", scopes: ["a b"] }],
    ["scopes.0", { subject: "u", name: "n", scopes: ["x".repeat(65)] }],
    ["scopes.0", { subject: "u", name: "n", scopes: [""] }],
    ["scopes", { subject: "u", name: "n", scopes: ["a", "a"] }],
    ["scopes", { subject: "u", name: "n", scopes: Array.from({ length: 51 }, (_, i) => `s${i}`) }],
    ["expiresInSec", { subject: "u", name: "n", expiresInSec: 0 }],
    ["expiresInSec", { subject: "u", name: "n", expiresInSec: -1 }],
    ["expiresInSec", { subject: "u", name: "n", expiresInSec: 1.5 }],
    ["expiresInSec", { subject: "u", name: "n", expiresInSec: 315_576_001 }],
    ["expiresInSec", { subject: "u", name: "n", expiresInSec: Number.NaN }],
    ["kind", { subject: "u", name: "n", kind: "admin" }],
    ["input", { subject: "u", name: "n", extra: 1 }],
  ])("refuses a bad %s with input_invalid naming it", async (field, input) => {
    const h = harness();
    const { keys } = h.instance();
    const err = await rejection(keys.create(input as never));
    expect(err.code).toBe("input_invalid");
    expect(err.message).toContain(field === "input" ? "input" : `"${field}"`);
    expect(err.message).not.toContain("Invoices:Read");
    expect(h.records.calls.create).toBe(0);
  });

  it("accepts the edges: 100-character name, 50 scopes, ten years", async () => {
    const { keys } = harness().instance();
    const { apiKey } = await keys.create({
      subject: "u",
      name: "x".repeat(100),
      scopes: Array.from({ length: 50 }, (_, i) => `s${i}:*`),
      expiresInSec: 315_576_000,
    });
    expect(apiKey.scopes).toHaveLength(50);
  });

  it("refuses more than maxKeysPerSubject active keys; ended keys do not count", async () => {
    const h = harness();
    const { keys } = h.instance({ maxKeysPerSubject: 2 });
    const a = await keys.create({ subject: "u", name: "a" });
    await keys.create({ subject: "u", name: "b", expiresInSec: 60 });
    const err = await rejection(keys.create({ subject: "u", name: "c" }));
    expect(err).toMatchObject({ code: "input_invalid" });
    expect(err.message).toContain('"subject"');
    await keys.create({ subject: "other", name: "c" });
    h.clock.advance(60_000);
    await keys.create({ subject: "u", name: "c" });
    await keys.revoke(a.apiKey.id);
    await keys.create({ subject: "u", name: "d" });
  });
});

describe("get and list", () => {
  it("gets a key by id; unknown or odd ids are undefined", async () => {
    const { keys } = harness().instance();
    const { apiKey } = await keys.create({ subject: "u", name: "n" });
    expect(await keys.get(apiKey.id)).toEqual(apiKey);
    for (const id of ["nope", "", "x".repeat(300), 42 as unknown as string]) {
      expect(await keys.get(id)).toBeUndefined();
    }
  });

  it("lists newest first, hides ended keys unless asked, and pages exactly", async () => {
    const h = harness();
    const { keys } = h.instance();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { apiKey } = await keys.create({ subject: "u", name: `k${i}`, expiresInSec: 3600 });
      made.push(apiKey.id);
      h.clock.advance(1000);
    }
    await keys.create({ subject: "someone-else", name: "x" });
    await keys.revoke(made[5]!);
    // k0 and k1 expire; k2 and k3 outlive them.
    const survivors = await keys.create({ subject: "u", name: "k7" });
    h.clock.set(Date.UTC(2026, 0, 1) + 3_601_500);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await keys.list("u", { limit: 2, cursor });
      pages.push(page.items.map((k) => k.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(pages.flat()).toEqual(["k7", "k6", "k4", "k3", "k2"]);
    expect(pages[0]).toEqual(["k7", "k6"]);
    expect(pages[1]).toEqual(["k4", "k3"]);
    const all = await keys.list("u", { includeEnded: true, limit: 100 });
    expect(all.items.map((k) => [k.name, k.status])).toEqual([
      ["k7", "active"],
      ["k6", "active"],
      ["k5", "revoked"],
      ["k4", "active"],
      ["k3", "active"],
      ["k2", "active"],
      ["k1", "expired"],
      ["k0", "expired"],
    ]);
    expect(all.nextCursor).toBeNull();
    expect(survivors.apiKey.status).toBe("active");
  });

  it("refuses a bad subject, limit or forged cursor with input_invalid", async () => {
    const { keys } = harness().instance();
    await keys.create({ subject: "u", name: "n" });
    for (const call of [
      keys.list(""),
      keys.list("u", { limit: 0 }),
      keys.list("u", { limit: 101 }),
      keys.list("u", { cursor: "forged" }),
      keys.list("u", { cursor: Buffer.from('["createdAt","desc","x","y"]').toString("base64url") }),
    ]) {
      expect(await rejection(call)).toMatchObject({ code: "input_invalid" });
    }
  });
});

describe("revoke", () => {
  it("revokes once, then resolves false; unknown keys resolve false", async () => {
    const h = harness();
    const { keys, events } = h.instance();
    const { apiKey } = await keys.create({ subject: "u", name: "n" });
    expect(await keys.revoke(apiKey.id, { by: "admin_1" })).toBe(true);
    expect(await keys.revoke(apiKey.id, { by: "admin_2" })).toBe(false);
    expect(await keys.revoke("missing")).toBe(false);
    expect(await keys.get(apiKey.id)).toMatchObject({
      status: "revoked",
      revokedAt: h.clock.now(),
    });
    const stored = await h.records.findOne(apiKeyModel, { id: apiKey.id });
    expect(stored?.revokedBy).toBe("admin_1");
    expect(events.filter((e) => e.type === "api_key.revoked").map((e) => e.data)).toEqual([
      { keyId: apiKey.id, subject: "u", by: "admin_1" },
    ]);
  });

  it("resolves false for an expired key", async () => {
    const h = harness();
    const { keys } = h.instance();
    const { apiKey } = await keys.create({ subject: "u", name: "n", expiresInSec: 1 });
    h.clock.advance(1000);
    expect(await keys.revoke(apiKey.id)).toBe(false);
  });

  it("lets exactly one of two concurrent revocations win", async () => {
    const { keys, events } = harness().instance();
    const { apiKey } = await keys.create({ subject: "u", name: "n" });
    const results = await Promise.all([keys.revoke(apiKey.id), keys.revoke(apiKey.id)]);
    expect(results.sort()).toEqual([false, true]);
    expect(events.filter((e) => e.type === "api_key.revoked")).toHaveLength(1);
  });

  it("is not defeated by a lastUsedAt write between its read and its update", async () => {
    const h = harness();
    const { keys } = h.instance({ records: withInterleavedTouch(h.records) });
    const { apiKey } = await keys.create({ subject: "u", name: "n" });
    expect(await keys.revoke(apiKey.id)).toBe(true);
  });

  it("refuses bad options with input_invalid", async () => {
    const { keys } = harness().instance();
    expect(await rejection(keys.revoke("x", { by: "" }))).toMatchObject({ code: "input_invalid" });
  });
});

describe("rotate", () => {
  it("replaces a key with the same grant and links the two", async () => {
    const h = harness();
    const { keys, events } = h.instance();
    const old = await keys.create({
      subject: "u",
      orgId: "o",
      kind: "publishable",
      name: "web",
      scopes: ["a:read"],
      expiresInSec: 30 * 86_400,
      createdBy: "u",
    });
    h.clock.advance(DAY);
    const now = h.clock.now();
    const fresh = await keys.rotate(old.apiKey.id, { overlapSec: 3600, by: "admin" });
    expect(fresh.key).toMatch(/^gh_pk_/);
    expect(fresh.key).not.toBe(old.key);
    expect(fresh.apiKey).toMatchObject({
      kind: "publishable",
      subject: "u",
      orgId: "o",
      name: "web",
      scopes: ["a:read"],
      status: "active",
      createdBy: "admin",
      rotatedFrom: old.apiKey.id,
      rotatedTo: null,
      // The same 30-day lifetime, from now.
      expiresAt: now + 30 * DAY,
    });
    expect(await keys.get(old.apiKey.id)).toMatchObject({
      status: "active",
      rotatedTo: fresh.apiKey.id,
      expiresAt: now + 3_600_000,
    });
    expect(events.at(-1)).toMatchObject({
      type: "api_key.rotated",
      data: {
        keyId: old.apiKey.id,
        newKeyId: fresh.apiKey.id,
        subject: "u",
        overlapUntil: now + 3_600_000,
      },
    });
  });

  it("never extends the old key: its expiry is the earlier of its own and the overlap", async () => {
    const h = harness();
    const { keys } = h.instance();
    const old = await keys.create({ subject: "u", name: "n", expiresInSec: 600 });
    await keys.rotate(old.apiKey.id);
    expect((await keys.get(old.apiKey.id))?.expiresAt).toBe(h.clock.now() + 600_000);
  });

  it("keeps no expiry for keys without one, and defaults the overlap to a day", async () => {
    const h = harness();
    const { keys } = h.instance();
    const old = await keys.create({ subject: "u", name: "n" });
    const fresh = await keys.rotate(old.apiKey.id);
    expect(fresh.apiKey.expiresAt).toBeNull();
    expect((await keys.get(old.apiKey.id))?.expiresAt).toBe(h.clock.now() + DAY);
  });

  it("refuses revoked, expired, already rotated and unknown keys", async () => {
    const h = harness();
    const { keys } = h.instance();
    const revoked = await keys.create({ subject: "u", name: "n" });
    await keys.revoke(revoked.apiKey.id);
    const rotated = await keys.create({ subject: "u", name: "n" });
    await keys.rotate(rotated.apiKey.id);
    const expiring = await keys.create({ subject: "u", name: "n", expiresInSec: 1 });
    h.clock.advance(1000);
    for (const id of [revoked.apiKey.id, rotated.apiKey.id, expiring.apiKey.id]) {
      expect(await rejection(keys.rotate(id))).toMatchObject({ code: "input_invalid" });
    }
    expect(await rejection(keys.rotate("missing"))).toMatchObject({ code: "not_found" });
    for (const overlapSec of [-1, 1.5, 31_536_001]) {
      expect(await rejection(keys.rotate(rotated.apiKey.id, { overlapSec }))).toMatchObject({
        code: "input_invalid",
      });
    }
  });

  it("yields exactly one replacement from two concurrent rotations", async () => {
    const h = harness();
    const { keys, events } = h.instance();
    const old = await keys.create({ subject: "u", name: "n" });
    const results = await Promise.allSettled([
      keys.rotate(old.apiKey.id),
      keys.rotate(old.apiKey.id),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "store_conflict" });
    const all = await keys.list("u", { includeEnded: true });
    expect(all.items).toHaveLength(2);
    const winner = (won[0] as PromiseFulfilledResult<{ apiKey: { id: string } }>).value;
    expect((await keys.get(old.apiKey.id))?.rotatedTo).toBe(winner.apiKey.id);
    expect(h.records.calls.delete).toBe(1);
    expect(events.filter((e) => e.type === "api_key.rotated")).toHaveLength(1);
  });

  it("is not defeated by a lastUsedAt write between its read and its update", async () => {
    const h = harness();
    const { keys } = h.instance({ records: withInterleavedTouch(h.records) });
    const old = await keys.create({ subject: "u", name: "n" });
    const fresh = await keys.rotate(old.apiKey.id);
    expect((await keys.get(old.apiKey.id))?.rotatedTo).toBe(fresh.apiKey.id);
  });

  it("deletes its replacement when the store fails to retire the old key", async () => {
    const inner = createMemoryRecordStore();
    const failing: RecordStore = {
      ...inner,
      update: async () => {
        throw Object.assign(new Error("down"), { code: "x" });
      },
    };
    const h = harness({ records: inner });
    const setup = h.instance();
    const old = await setup.keys.create({ subject: "u", name: "n" });
    const { keys } = h.instance({ records: failing });
    await expect(keys.rotate(old.apiKey.id)).rejects.toThrow("down");
    expect((await setup.keys.list("u", { includeEnded: true })).items).toHaveLength(1);
  });
});
