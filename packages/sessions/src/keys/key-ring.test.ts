import {
  createEventBus,
  createVerifier,
  type EventEnvelope,
  type GatehouseError,
  isGatehouseError,
  type LocalIssuerOptions,
  local,
} from "@gatehouse/core";
import {
  createMemoryRecordStore,
  type RecordStore,
  StoreUnavailableError,
} from "@gatehouse/core/store";
import { createFakeClock, type FakeClock } from "@gatehouse/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SecretRing } from "../crypto.js";
import { signingKeyModel } from "../models.js";
import type { SigningKeys } from "../types.js";
import { createKeyRing, type KeyRingOptions } from "./key-ring.js";

const ISS = "https://app.example.test";
const SEC = 1000;
const OLD_SECRET = "old-secret-with-plenty-of-entropy-0001";
const NEW_SECRET = "new-secret-with-plenty-of-entropy-0002";
const ALGS = ["RS256", "ES256", "EdDSA"] as const;
// A key signs for an hour, is published 5 minutes ahead and kept 15 minutes after retiring.
const TIMING = { rotateEverySec: 3600, publishAheadSec: 300, retainSec: 900 } as const;
const PUBLIC_MEMBERS = new Set(["kty", "crv", "x", "y", "n", "e", "kid", "alg", "use"]);

function world(wrap: (store: RecordStore) => RecordStore = (s) => s) {
  const clock = createFakeClock();
  const records = wrap(createMemoryRecordStore({ clock }));
  const bus = createEventBus({ clock });
  const events: EventEnvelope<"signing_key.rotated">[] = [];
  bus.on("signing_key.rotated", (event) => {
    events.push(event);
  });
  const ring = (overrides: Partial<KeyRingOptions> = {}) =>
    createKeyRing({
      records,
      secrets: new SecretRing([OLD_SECRET]),
      clock,
      events: bus,
      algorithm: "ES256",
      ...TIMING,
      ...overrides,
    });
  return { clock, records, events, ring };
}

function verifierOf(
  keys: SigningKeys,
  clock: FakeClock,
  keyCache?: LocalIssuerOptions["keyCache"],
) {
  return createVerifier({
    issuers: [local({ issuer: ISS, jwks: keys.publicJwks, ...(keyCache ? { keyCache } : {}) })],
    clock,
    cache: false,
  });
}

let n = 0;
function claims(clock: FakeClock, ttlSec = 600) {
  const iat = Math.floor(clock.now() / 1000);
  n++;
  return { iss: ISS, sub: `user_${n}`, sid: `sess_${n}`, iat, exp: iat + ttlSec };
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const headerOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as Record<string, unknown>;
const kidOf = (token: string) => headerOf(token).kid as string;

async function failure(promise: Promise<unknown>): Promise<GatehouseError> {
  const err = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  if (!isGatehouseError(err)) throw err;
  return err;
}

/** Counts the reads and creates that reach the store. */
function counting(calls: { reads: number; creates: number }) {
  return (inner: RecordStore): RecordStore => ({
    create: (model, data) => {
      calls.creates++;
      return inner.create(model, data);
    },
    findOne: (model, where) => inner.findOne(model, where),
    findMany: (model, options) => {
      calls.reads++;
      return inner.findMany(model, options);
    },
    update: (model, id, patch, options) => inner.update(model, id, patch, options),
    delete: (model, id) => inner.delete(model, id),
  });
}

async function storedKeys(records: RecordStore) {
  return (await records.findMany(signingKeyModel, { orderBy: { field: "generation" } })).items;
}

describe("sign", () => {
  it.each(ALGS)(
    "signs %s access tokens that local() verifies, and refuses them tampered",
    async (alg) => {
      const { clock, ring } = world();
      const keys = ring({ algorithm: alg });
      const c = claims(clock);
      const token = await keys.sign(c);
      expect(headerOf(token)).toEqual({ alg, kid: expect.any(String), typ: "at+jwt" });

      const verifier = verifierOf(keys, clock);
      const auth = await verifier.verify(token);
      expect(auth).toMatchObject({ userId: c.sub, sessionId: c.sid, issuer: ISS });

      const [header, payload, signature] = token.split(".") as [string, string, string];
      const forged = `${header}.${b64json({ ...c, sub: "user_admin" })}.${signature}`;
      expect((await failure(verifier.verify(forged))).code).toBe("signature_invalid");
      const flipped = Buffer.from(signature, "base64url");
      flipped[0]! ^= 1;
      const bent = `${header}.${payload}.${flipped.toString("base64url")}`;
      expect((await failure(verifier.verify(bent))).code).toBe("signature_invalid");
    },
  );

  it("creates the first key on first use, signing at once, and announces it", async () => {
    const { clock, events, ring } = world();
    const keys = ring();
    const [key] = await keys.list();
    expect(key).toMatchObject({
      alg: "ES256",
      state: "active",
      activatesAt: clock.now(),
      retiredAt: null,
    });
    expect(events.map((e) => e.data)).toEqual([{ kid: key!.kid, activatesAt: clock.now() }]);
  });

  it("reads the store once per reloadEverySec, one read shared by concurrent callers", async () => {
    const calls = { reads: 0, creates: 0 };
    const { clock, ring } = world(counting(calls));
    const keys = ring({ reloadEverySec: 30 });
    await Promise.all(Array.from({ length: 20 }, () => keys.sign(claims(clock))));
    expect(calls).toEqual({ reads: 1, creates: 1 });
    for (let i = 0; i < 50; i++) await keys.sign(claims(clock));
    clock.advance(30 * SEC - 1);
    await keys.sign(claims(clock));
    expect(calls.reads).toBe(1);
    clock.advance(1);
    await keys.sign(claims(clock));
    expect(calls.reads).toBe(2);
  });
});

describe("rotation", () => {
  it("publishes the next key before it signs, then signs with it", async () => {
    const { clock, events, ring } = world();
    const keys = ring();
    const verifier = verifierOf(keys, clock);
    const t0 = clock.now();
    const first = kidOf(await keys.sign(claims(clock)));

    clock.advance((3600 - 300) * SEC); // rotation is due: publishAheadSec before the term ends
    const before = await keys.sign(claims(clock));
    expect(kidOf(before)).toBe(first);
    const listed = await keys.list();
    expect(listed).toMatchObject([
      { kid: first, state: "active" },
      { state: "next", activatesAt: t0 + 3600 * SEC },
    ]);
    const next = listed[1]!.kid;
    expect((await keys.publicJwks()).keys.map((k) => (k as { kid: string }).kid)).toEqual([
      first,
      next,
    ]);
    expect(events.map((e) => e.data)).toEqual([
      { kid: first, activatesAt: t0 },
      { kid: next, activatesAt: t0 + 3600 * SEC },
    ]);

    clock.advance(300 * SEC - 1);
    expect(kidOf(await keys.sign(claims(clock)))).toBe(first);
    clock.advance(1);
    const after = await keys.sign(claims(clock));
    expect(kidOf(after)).toBe(next);
    expect(await keys.list()).toMatchObject([
      { kid: first, state: "retired", retiredAt: t0 + 3600 * SEC },
      { kid: next, state: "active", retiredAt: null },
    ]);
    await expect(verifier.verify(before)).resolves.toMatchObject({ issuer: ISS });
    await expect(verifier.verify(after)).resolves.toMatchObject({ issuer: ISS });
  });

  it("keeps a retired key's tokens valid for retainSec, then refuses them (kid_unknown) and deletes the key", async () => {
    const { clock, records, ring } = world();
    const keys = ring();
    const verifier = verifierOf(keys, clock);
    // A long-lived token, so that only the key's removal can refuse it.
    const old = await keys.sign(claims(clock, 86_400));
    clock.advance((3600 - 300) * SEC);
    await keys.sign(claims(clock)); // creates the next key, signing from 3600 s
    clock.advance(300 * SEC + 900 * SEC); // retired exactly retainSec ago
    await verifier.warmUp(); // a fresh read of the JWKS, not the verifier's cached copy
    await expect(verifier.verify(old)).resolves.toMatchObject({ issuer: ISS });

    clock.advance(1);
    await verifier.warmUp();
    expect((await failure(verifier.verify(old))).code).toBe("kid_unknown");
    clock.advance(60 * SEC); // the ring's next read tidies the store
    await keys.list();
    expect((await storedKeys(records)).map((k) => k.kid)).not.toContain(kidOf(old));
    expect((await storedKeys(records))[0]!.retiredAt).toBe(null); // the survivor is active
  });

  it("records retiredAt in the store once a key retires", async () => {
    const { clock, records, ring } = world();
    const keys = ring();
    const t0 = clock.now();
    await keys.sign(claims(clock));
    clock.advance((3600 - 300) * SEC);
    await keys.sign(claims(clock));
    clock.advance(300 * SEC + 60 * SEC);
    await keys.sign(claims(clock));
    expect((await storedKeys(records)).map((k) => k.retiredAt)).toEqual([t0 + 3600 * SEC, null]);
  });

  it("after idle time, still publishes the late key publishAheadSec before it signs", async () => {
    const { clock, ring } = world();
    const keys = ring();
    const first = kidOf(await keys.sign(claims(clock)));
    clock.advance(5 * 3600 * SEC); // nobody signed for five hours
    expect(kidOf(await keys.sign(claims(clock)))).toBe(first);
    const [, next] = await keys.list();
    expect(next).toMatchObject({ state: "next", activatesAt: clock.now() + 300 * SEC });
    clock.advance(300 * SEC);
    expect(kidOf(await keys.sign(claims(clock)))).toBe(next!.kid);
  });

  it("rotate() publishes a key at once that signs after publishAheadSec", async () => {
    const { clock, ring } = world();
    const keys = ring();
    const first = kidOf(await keys.sign(claims(clock)));
    const rotated = await keys.rotate();
    expect(rotated).toMatchObject({ state: "next", activatesAt: clock.now() + 300 * SEC });
    expect(JSON.stringify(await keys.publicJwks())).toContain(rotated.kid);
    expect(kidOf(await keys.sign(claims(clock)))).toBe(first);
    clock.advance(300 * SEC);
    expect(kidOf(await keys.sign(claims(clock)))).toBe(rotated.kid);
  });

  it("rotate() with publishAheadSec 0 signs with the new key at once", async () => {
    const { clock, ring } = world();
    const keys = ring({ publishAheadSec: 0 });
    await keys.sign(claims(clock));
    const rotated = await keys.rotate();
    expect(rotated.state).toBe("active");
    expect(kidOf(await keys.sign(claims(clock)))).toBe(rotated.kid);
  });

  it("a verifier whose cached key set predates a key learns it from the first token naming it", async () => {
    const { clock, ring } = world();
    const keys = ring();
    // Its copy would not expire by age during the test: only the unknown kid can refresh it.
    const verifier = verifierOf(keys, clock, { maxAgeSec: 86_400 });
    await verifier.verify(await keys.sign(claims(clock)));
    clock.advance((3600 - 300) * SEC);
    await keys.sign(claims(clock));
    clock.advance(300 * SEC);
    const token = await keys.sign(claims(clock));
    await expect(verifier.verify(token)).resolves.toMatchObject({ issuer: ISS });
  });
});

describe("instances sharing one store", () => {
  it("converge on one active key, never creating two keys for one generation", async () => {
    const calls = { reads: 0, creates: 0 };
    const { clock, records, events, ring } = world(counting(calls));
    const [a, b] = [ring(), ring()];
    const [ta, tb] = await Promise.all([a.sign(claims(clock)), b.sign(claims(clock))]);
    expect(calls.creates).toBe(2); // both tried the first slot...
    expect(kidOf(ta)).toBe(kidOf(tb)); // ...one won, the other re-read and signs with its key
    expect(await storedKeys(records)).toHaveLength(1);

    clock.advance((3600 - 300) * SEC);
    await Promise.all([a.sign(claims(clock)), b.sign(claims(clock))]);
    expect(calls.creates).toBe(4);
    const stored = await storedKeys(records);
    expect(stored.map((k) => k.generation)).toEqual([1, 2]);
    expect(events).toHaveLength(2);

    clock.advance(300 * SEC);
    const [na, nb] = await Promise.all([a.sign(claims(clock)), b.sign(claims(clock))]);
    expect([kidOf(na), kidOf(nb)]).toEqual([stored[1]!.kid, stored[1]!.kid]);
  });

  it("concurrent rotate() calls on two instances create one key", async () => {
    const { clock, records, ring } = world();
    const [a, b] = [ring(), ring()];
    await a.sign(claims(clock));
    const [ra, rb] = await Promise.all([a.rotate(), b.rotate()]);
    expect(ra.kid).toBe(rb.kid);
    expect(await storedKeys(records)).toHaveLength(2);
  });

  it("publishes a key another instance created within reloadEverySec", async () => {
    const { clock, ring } = world();
    const [a, b] = [ring(), ring()];
    await b.sign(claims(clock));
    const rotated = await a.rotate();
    expect(JSON.stringify(await b.publicJwks())).not.toContain(rotated.kid);
    clock.advance(60 * SEC);
    expect(JSON.stringify(await b.publicJwks())).toContain(rotated.kid);
  });
});

describe("secrets", () => {
  it("stores the private key encrypted, never as PEM or a private JWK", async () => {
    const { clock, records, ring } = world();
    await ring().sign(claims(clock));
    const [record] = await storedKeys(records);
    expect(record!.privateKey).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(JSON.stringify(record)).not.toMatch(/PRIVATE KEY|"d":/);
  });

  it("keeps signing with a key sealed under the old secret once the secret is rotated (new first, old second)", async () => {
    const { clock, ring } = world();
    const first = kidOf(await ring().sign(claims(clock)));
    const keys = ring({ secrets: new SecretRing([NEW_SECRET, OLD_SECRET]) });
    const token = await keys.sign(claims(clock));
    expect(kidOf(token)).toBe(first);
    await expect(verifierOf(keys, clock).verify(token)).resolves.toMatchObject({ issuer: ISS });
  });

  it("fails with config_invalid when no secret opens a key in use, without leaking key material", async () => {
    const { clock, records, ring } = world();
    await ring().sign(claims(clock));
    const wrong = ring({ secrets: new SecretRing(["some-other-secret-with-entropy-0003"]) });
    const err = await failure(wrong.sign(claims(clock)));
    expect(err.code).toBe("config_invalid");
    const [record] = await storedKeys(records);
    expect(err.message).not.toContain(record!.privateKey);
    expect(err.message).not.toContain(OLD_SECRET);
    expect(err.message).not.toMatch(/BEGIN|PRIVATE KEY/);
    expect((await wrong.publicJwks()).keys).toHaveLength(1); // publishing needs no secret
  });

  it("an instance lacking the newer secret signs with the newest published key it can open", async () => {
    const { clock, ring } = world();
    const lagging = ring();
    const updated = ring({ secrets: new SecretRing([NEW_SECRET, OLD_SECRET]) });
    const first = kidOf(await lagging.sign(claims(clock)));
    await updated.rotate(); // sealed under NEW_SECRET
    clock.advance(300 * SEC);
    const token = await lagging.sign(claims(clock));
    expect(kidOf(token)).toBe(first);
    await expect(verifierOf(updated, clock).verify(token)).resolves.toMatchObject({ issuer: ISS });
    clock.advance(900 * SEC + 1); // the old key is no longer published
    expect((await failure(lagging.sign(claims(clock)))).code).toBe("config_invalid");
  });
});

describe("store failures", () => {
  const failing =
    (error: Error) =>
    (inner: RecordStore): RecordStore => ({ ...inner, findMany: () => Promise.reject(error) });

  it("rejects with store_unavailable when the store fails, keeping the cause", async () => {
    const cause = new Error("ECONNRESET");
    const { clock, ring } = world(failing(cause));
    const err = await failure(ring().sign(claims(clock)));
    expect(err).toMatchObject({ code: "store_unavailable", status: 503, cause });
  });

  it("passes a typed store error through", async () => {
    const down = new StoreUnavailableError("down");
    const { clock, ring } = world(failing(down));
    expect(await failure(ring().sign(claims(clock)))).toBe(down);
  });

  it("tolerates failing deletes and updates: upkeep is best effort", async () => {
    const { clock, ring } = world((inner) => ({
      ...inner,
      delete: () => Promise.reject(new Error("read-only replica")),
      update: () => Promise.reject(new Error("read-only replica")),
    }));
    const keys = ring();
    await keys.sign(claims(clock));
    clock.advance((3600 - 300) * SEC);
    await keys.sign(claims(clock));
    clock.advance(24 * 3600 * SEC);
    await expect(keys.sign(claims(clock))).resolves.toEqual(expect.any(String));
  });
});

describe("options", () => {
  const { ring } = world();
  it.each([
    [{ publishAheadSec: 3600 }, "publishAheadSec"],
    [{ rotateEverySec: 0 }, "rotateEverySec"],
    [{ retainSec: -1 }, "retainSec"],
    [{ algorithm: "HS256" as "ES256" }, "algorithm"],
    [{ records: {} as RecordStore }, "records"],
  ])("refuses %o with config_invalid naming the option", (bad, option) => {
    expect(() => ring(bad)).toThrow(expect.objectContaining({ code: "config_invalid" }));
    expect(() => ring(bad)).toThrow(option);
  });
});

describe("publicJwks", () => {
  it("never holds a private member, whatever the algorithm and the rotations", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ALGS),
        fc.integer({ min: 0, max: 2 }),
        async (alg, rotations) => {
          const { clock, ring } = world();
          const keys = ring({ algorithm: alg });
          await keys.sign(claims(clock));
          for (let i = 0; i < rotations; i++) await keys.rotate();
          const { keys: jwks } = await keys.publicJwks();
          expect(jwks).toHaveLength(rotations + 1);
          for (const jwk of jwks) {
            for (const member of Object.keys(jwk as object))
              expect(PUBLIC_MEMBERS).toContain(member);
            expect(jwk).toMatchObject({ alg, use: "sig" });
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
