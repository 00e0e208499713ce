/**
 * The resolver end to end, through the real core verifier and `apiKeys()`
 * issuer: what a request carrying a key is answered.
 */
import { apiKeys, createVerifier, type RecordStore, StoreUnavailableError } from "@gatehouse/core";
import { createMemoryRecordStore } from "@gatehouse/core/store";
import { describe, expect, it } from "vitest";
import { SecretRing } from "../crypto.js";
import { apiKeyModel } from "../models.js";
import { checksum, generateApiKey } from "./key-format.js";
import { harness, OTHER_SECRET, SECRET } from "./test-helpers.js";

/** `key` with one secret character changed and a valid checksum recomputed. */
function forgeSecret(key: string): string {
  const at = 30;
  const payload = key.slice(0, at) + (key[at] === "A" ? "B" : "A") + key.slice(at + 1, -6);
  return payload + checksum(payload);
}

describe("accepting keys", () => {
  it("signs a request in as the key's subject with its scopes and kind", async () => {
    const { keys, bearer } = harness().instance();
    const { key, apiKey } = await keys.create({
      subject: "user_1",
      orgId: "org_1",
      name: "CI",
      scopes: ["invoices:read"],
    });
    const auth = await bearer(key);
    expect(auth).toMatchObject({
      isSignedIn: true,
      userId: "user_1",
      orgId: "org_1",
      tokenType: "api_key",
      scopes: ["invoices:read"],
      claims: { sub: "user_1", jti: apiKey.id, key_kind: "secret", scope: "invoices:read" },
    });
  });

  it("accepts keys made under an older app secret once the secret rotates", async () => {
    const h = harness();
    const { key } = await h.instance().keys.create({ subject: "u", name: "n" });
    const rotated = h.instance({ secrets: new SecretRing(["brand-new-secret-xyz", SECRET]) });
    expect((await rotated.bearer(key)).isSignedIn).toBe(true);
    // New keys are hashed under the new secret, which the old ring does not know.
    const { key: fresh } = await rotated.keys.create({ subject: "u", name: "n" });
    expect(await h.instance().bearer(fresh)).toMatchObject({ reason: "api_key_invalid" });
  });
});

describe("refusing hostile keys", () => {
  it("refuses malformed, truncated, extended and mis-checksummed keys without a store read", async () => {
    const h = harness();
    const { keys, bearer } = h.instance();
    const { key } = await keys.create({ subject: "u", name: "n" });
    const last = key.at(-1) === "A" ? "B" : "A";
    for (const bad of [
      "gh_sk_",
      "gh_sk_x",
      key.slice(0, -1),
      `${key}A`,
      `${key}${key}`,
      key.slice(0, -1) + last,
      `${key.slice(0, 20)}_${key.slice(21)}`,
      `gh_sk_${"A".repeat(5000)}`,
    ]) {
      expect(await bearer(bad)).toMatchObject({ isSignedIn: false, reason: "api_key_invalid" });
    }
    expect(h.records.calls.findOne).toBe(0);
  });

  it("refuses a key with a changed secret character (valid checksum) after one read", async () => {
    const h = harness();
    const { keys, bearer } = h.instance();
    const { key } = await keys.create({ subject: "u", name: "n" });
    const forged = forgeSecret(key);
    expect(await bearer(forged)).toMatchObject({ isSignedIn: false, reason: "api_key_invalid" });
    expect(h.records.calls.findOne).toBe(1);
  });

  it("refuses a well-formed key that was never issued", async () => {
    const { bearer } = harness().instance();
    const auth = await bearer(generateApiKey("gh", "secret").key);
    expect(auth).toMatchObject({ isSignedIn: false, reason: "api_key_invalid" });
  });

  it("refuses a key of another app sharing the database", async () => {
    const h = harness();
    const other = h.instance({ secret: OTHER_SECRET });
    const { key } = await other.keys.create({ subject: "u", name: "n" });
    expect((await other.bearer(key)).isSignedIn).toBe(true);
    expect(await h.instance().bearer(key)).toMatchObject({ reason: "api_key_invalid" });
  });

  it("refuses a key presented in a cookie, without a store read", async () => {
    const h = harness();
    const { keys, verifier } = h.instance();
    const { key } = await keys.create({ subject: "u", name: "n" });
    const auth = await verifier.authenticate({ headers: { cookie: `__session=${key}` } });
    expect(auth).toMatchObject({ isSignedIn: false, reason: "api_key_invalid" });
    expect(h.records.calls.findOne).toBe(0);
  });

  it("tells publishable keys apart, and a verifier for secret keys only refuses them", async () => {
    const h = harness();
    const { keys, bearer, revocations } = h.instance();
    const { key } = await keys.create({ subject: "u", name: "web", kind: "publishable" });
    expect(await bearer(key)).toMatchObject({
      isSignedIn: true,
      claims: { key_kind: "publishable" },
    });
    const secretOnly = createVerifier({
      issuers: [apiKeys({ resolver: keys.resolver, revocations, prefixes: ["gh_sk_"] })],
      clock: h.clock,
    });
    const auth = await secretOnly.authenticate({ headers: { authorization: `Bearer ${key}` } });
    expect(auth.isSignedIn).toBe(false);
  });

  it("refuses a publishable key re-labelled as secret", async () => {
    const { keys, bearer } = harness().instance();
    const { key } = await keys.create({ subject: "u", name: "web", kind: "publishable" });
    const payload = key.replace("gh_pk_", "gh_sk_").slice(0, -6);
    expect(await bearer(payload + checksum(payload))).toMatchObject({ reason: "api_key_invalid" });
  });

  it("answers a repeated unknown key from the negative cache: one store read per TTL", async () => {
    const h = harness();
    const { bearer } = h.instance();
    const unknown = generateApiKey("gh", "secret").key;
    for (let i = 0; i < 5; i++) expect((await bearer(unknown)).isSignedIn).toBe(false);
    expect(h.records.calls.findOne).toBe(1);
    h.clock.advance(30_000);
    await bearer(unknown);
    expect(h.records.calls.findOne).toBe(2);
  });

  it("never puts the key or its hash in an error, an event or a list", async () => {
    const h = harness();
    const { keys, bearer, events } = h.instance();
    const { key, apiKey } = await keys.create({ subject: "u", name: "n" });
    const forged = forgeSecret(key);
    const rotated = await keys.rotate(apiKey.id, { overlapSec: 0 });
    await keys.revoke(rotated.apiKey.id);
    const stored = await h.records.findMany(apiKeyModel, { where: { subject: "u" } });
    const secrets = [key, forged, rotated.key].flatMap((k) => [k, k.slice(18, -6)]);
    const hashes = stored.items.map((r) => r.hash);
    const seen = JSON.stringify([
      await bearer(key),
      await bearer(forged),
      await bearer(rotated.key),
      await bearer(key.slice(0, -1)),
      events,
      await keys.list("u", { includeEnded: true }),
      await keys.get(apiKey.id),
    ]);
    for (const s of [...secrets, ...hashes]) expect(seen).not.toContain(s);
  });
});

describe("expiry, revocation and rotation", () => {
  it("refuses an expired key, even from a warm cache", async () => {
    const h = harness();
    const { keys, bearer } = h.instance();
    const { key } = await keys.create({ subject: "u", name: "n", expiresInSec: 90 });
    expect((await bearer(key)).isSignedIn).toBe(true);
    h.clock.advance(89_999);
    expect((await bearer(key)).isSignedIn).toBe(true);
    h.clock.advance(1);
    expect(await bearer(key)).toMatchObject({ isSignedIn: false, reason: "api_key_expired" });
  });

  it("refuses a revoked key at once on the instance that revoked it, warm cache included", async () => {
    const { keys, bearer } = harness().instance();
    const { key, apiKey } = await keys.create({ subject: "u", name: "n" });
    expect((await bearer(key)).isSignedIn).toBe(true);
    await keys.revoke(apiKey.id);
    expect(await bearer(key)).toMatchObject({ isSignedIn: false, reason: "api_key_revoked" });
  });

  it("refuses a revoked key on a second instance with a warm cache after one sync", async () => {
    const h = harness();
    const one = h.instance();
    const two = h.instance();
    const { key, apiKey } = await one.keys.create({ subject: "u", name: "n" });
    expect((await two.bearer(key)).isSignedIn).toBe(true);
    await one.keys.revoke(apiKey.id);
    // Until its copy of the list is read again, the second instance may still answer from it.
    expect((await two.bearer(key)).isSignedIn).toBe(true);
    await two.revocations.sync();
    expect(await two.bearer(key)).toMatchObject({ isSignedIn: false, reason: "api_key_revoked" });
    // Past the list's window, the cache has expired too and the store says revoked.
    h.clock.advance(66_000);
    expect(await two.bearer(key)).toMatchObject({ isSignedIn: false, reason: "api_key_revoked" });
  });

  it("refuses a revoked key on a second instance once its copy passes the staleness bound", async () => {
    const h = harness();
    const one = h.instance();
    const two = h.instance();
    const { key, apiKey } = await one.keys.create({ subject: "u", name: "n" });
    expect((await two.bearer(key)).isSignedIn).toBe(true);
    await one.keys.revoke(apiKey.id);
    h.clock.advance(1001);
    expect(await two.bearer(key)).toMatchObject({ isSignedIn: false, reason: "api_key_revoked" });
  });

  it("keeps the old key working until the overlap ends, and the new one after", async () => {
    const h = harness();
    const { keys, bearer } = h.instance();
    const old = await keys.create({ subject: "u", name: "n", scopes: ["a"] });
    expect((await bearer(old.key)).isSignedIn).toBe(true);
    const fresh = await keys.rotate(old.apiKey.id, { overlapSec: 3600 });
    expect(await bearer(fresh.key)).toMatchObject({ isSignedIn: true, scopes: ["a"] });
    h.clock.advance(3_599_000);
    expect((await bearer(old.key)).isSignedIn).toBe(true);
    h.clock.advance(1000);
    expect(await bearer(old.key)).toMatchObject({ isSignedIn: false, reason: "api_key_expired" });
    expect((await bearer(fresh.key)).isSignedIn).toBe(true);
  });

  it("ends the old key everywhere at once when rotated with no overlap", async () => {
    const h = harness();
    const one = h.instance();
    const two = h.instance();
    const old = await one.keys.create({ subject: "u", name: "n" });
    expect((await two.bearer(old.key)).isSignedIn).toBe(true);
    const fresh = await one.keys.rotate(old.apiKey.id, { overlapSec: 0 });
    await two.revocations.sync();
    expect((await two.bearer(old.key)).isSignedIn).toBe(false);
    expect((await two.bearer(fresh.key)).isSignedIn).toBe(true);
  });
});

describe("store behaviour", () => {
  it("propagates a store outage as store_unavailable and does not remember it", async () => {
    const h = harness();
    const setup = h.instance();
    const { key } = await setup.keys.create({ subject: "u", name: "n" });
    let down = true;
    const flaky: RecordStore = {
      ...h.records,
      findOne: (model, where) =>
        down ? Promise.reject(new StoreUnavailableError("down")) : h.records.findOne(model, where),
    };
    const { bearer } = h.instance({ records: flaky });
    await expect(bearer(key)).rejects.toMatchObject({ code: "store_unavailable", status: 503 });
    down = false;
    expect((await bearer(key)).isSignedIn).toBe(true);
  });

  it("writes lastUsedAt at most once per interval per key", async () => {
    const h = harness();
    const { keys } = h.instance({ lastUsedWriteIntervalSec: 300 });
    const { key, apiKey } = await keys.create({ subject: "u", name: "n" });
    const t0 = h.clock.now();
    await keys.resolver.resolve(key, t0);
    await keys.resolver.resolve(key, t0 + 299_999);
    expect(h.records.calls.update).toBe(1);
    await h.records.idle();
    expect((await keys.get(apiKey.id))?.lastUsedAt).toBe(t0);
    await keys.resolver.resolve(key, t0 + 300_000);
    expect(h.records.calls.update).toBe(2);
    await h.records.idle();
    expect((await keys.get(apiKey.id))?.lastUsedAt).toBe(t0 + 300_000);
  });

  it("never waits for, nor fails on, the lastUsedAt write", async () => {
    const inner = createMemoryRecordStore();
    const h = harness({ records: inner });
    const { key } = await h.instance().keys.create({ subject: "u", name: "n" });
    const hanging: RecordStore = { ...inner, update: () => new Promise(() => {}) };
    const failing: RecordStore = {
      ...inner,
      update: () => Promise.reject(new StoreUnavailableError("down")),
    };
    const throwing: RecordStore = {
      ...inner,
      update: () => {
        throw new Error("sync");
      },
    };
    for (const records of [hanging, failing, throwing]) {
      const { bearer } = h.instance({ records });
      expect((await bearer(key)).isSignedIn).toBe(true);
    }
  });
});
