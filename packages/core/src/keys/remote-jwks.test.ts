import {
  createFakeClock,
  type FakeClock,
  generateTestKeys,
  type JwksServer,
  mintToken,
  nowSec,
  serveJwks,
  signRawJwt,
  type TestKeys,
} from "@gatehouse/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type GatehouseErrorCode, isGatehouseError } from "../errors.js";
import { jwks } from "../issuers/jwks.js";
import { createVerifier, type Verifier } from "../verifier.js";
import type { RemoteJwksOptions } from "./remote-jwks.js";
import { RemoteKeySource } from "./remote-jwks.js";

const ISS = "https://auth.example.test/";

const keyA = generateTestKeys({ alg: "ES256", kid: "key-a" });
const keyB = generateTestKeys({ alg: "ES256", kid: "key-b" });
const keyC = generateTestKeys({ alg: "ES256", kid: "key-c" });

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(...keys: TestKeys[]): Promise<JwksServer> {
  const server = await serveJwks({ keys: keys.map((k) => k.publicJwk) });
  servers.push(server);
  return server;
}

interface Setup {
  clock: FakeClock;
  verifier: Verifier;
  /** Mints a fresh token (never served from the token cache) at the current fake time. */
  token(keys: TestKeys): Promise<string>;
}

function setup(url: string, jwksCache: RemoteJwksOptions = {}): Setup {
  const clock = createFakeClock();
  const verifier = createVerifier({
    issuers: [jwks({ issuer: ISS, jwksUri: url, jwksCache })],
    clock,
  });
  let n = 0;
  return {
    clock,
    verifier,
    token: (keys) => mintToken(keys, { iss: ISS, sub: `user_${++n}` }, { clock }),
  };
}

async function refused(promise: Promise<unknown>, code: GatehouseErrorCode, status = 401) {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${code}, but the token was accepted`);
    },
    (e: unknown) => e,
  );
  expect(isGatehouseError(err), String(err)).toBe(true);
  expect(err).toMatchObject({ code, status });
  return err;
}

describe("remote JWKS: fetching", () => {
  it("fetches once on the first verify and answers later ones from the cache", async () => {
    const server = await serve(keyA);
    const { verifier, token } = setup(server.url);
    expect(server.requests).toBe(0); // creating the verifier does not fetch
    await expect(verifier.verify(await token(keyA))).resolves.toMatchObject({ userId: "user_1" });
    expect(server.requests).toBe(1);
    await verifier.verify(await token(keyA));
    await verifier.verify(await token(keyA));
    expect(server.requests).toBe(1);
  });

  it("shares one fetch between concurrent verifies", async () => {
    const server = await serve(keyA);
    server.setDelay(50);
    const { verifier, token } = setup(server.url);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => token(keyA)));
    const results = await Promise.all(tokens.map((t) => verifier.verify(t)));
    expect(results.map((r) => r.userId)).toEqual(tokens.map((_, i) => `user_${i + 1}`));
    expect(server.requests).toBe(1);
  });

  it("warmUp() fetches ahead of the first request", async () => {
    const server = await serve(keyA);
    const { verifier, token } = setup(server.url);
    await verifier.warmUp();
    expect(server.requests).toBe(1);
    await verifier.verify(await token(keyA));
    expect(server.requests).toBe(1);
  });

  it("warmUp() rejects with jwks_unavailable when the issuer is down", async () => {
    const server = await serve(keyA);
    server.fail(503);
    const { verifier } = setup(server.url);
    await refused(verifier.warmUp(), "jwks_unavailable", 503);
  });
});

describe("remote JWKS: key rotation and the refetch cooldown", () => {
  it("refetches once for an unknown kid, but not again within the cooldown", async () => {
    const server = await serve(keyA);
    const { verifier, clock, token } = setup(server.url, { cooldownSec: 30 });
    await verifier.verify(await token(keyA));
    expect(server.requests).toBe(1);

    // The issuer rotates to key B after the cooldown has passed.
    clock.advance(31_000);
    server.setJwks({ keys: [keyB.publicJwk] });
    await expect(verifier.verify(await token(keyB))).resolves.toBeTruthy();
    expect(server.requests).toBe(2);
    // The retired key A is gone from the new set.
    await refused(verifier.verify(await token(keyA)), "kid_unknown");

    // Another unknown kid moments later: no fetch, refused at once.
    server.setJwks({ keys: [keyB.publicJwk, keyC.publicJwk] });
    clock.advance(5_000);
    await refused(verifier.verify(await token(keyC)), "kid_unknown");
    expect(server.requests).toBe(2);

    // After the cooldown, the unknown kid is worth one more fetch.
    clock.advance(26_000);
    await expect(verifier.verify(await token(keyC))).resolves.toBeTruthy();
    expect(server.requests).toBe(3);
  });

  it("does not let a stream of random kids hammer the issuer", async () => {
    const server = await serve(keyA);
    const { verifier, clock, token } = setup(server.url, { cooldownSec: 30 });
    await verifier.verify(await token(keyA));
    clock.advance(31_000);
    const forged = Array.from({ length: 10 }, (_, i) =>
      generateTestKeys({ alg: "ES256", kid: `rand-${i}` }),
    );
    for (const k of forged) await refused(verifier.verify(await token(k)), "kid_unknown");
    expect(server.requests).toBe(2);
  });

  // Regression (fixed in 4db4a07): candidates() started a background refresh for a stale set
  // and then, because that refresh had just moved `lastAttempt`, refused the rotated kid as
  // kid_unknown instead of joining the refresh that was already fetching it.
  it("accepts a rotated key when the cached set is stale (refresh already in flight)", async () => {
    const server = await serve(keyA);
    const { verifier, clock, token } = setup(server.url, { maxAgeSec: 60, cooldownSec: 30 });
    await verifier.verify(await token(keyA));
    server.setJwks({ keys: [keyA.publicJwk, keyB.publicJwk] });
    clock.advance(61_000); // the cached set is now past maxAgeSec
    await expect(verifier.verify(await token(keyB))).resolves.toMatchObject({ issuer: ISS });
    expect(server.requests).toBe(2);
  });
});

describe("remote JWKS: failures", () => {
  it("answers kid_unknown, not 503, for an unknown kid while the issuer is down but keys are cached", async () => {
    const server = await serve(keyA);
    const { verifier, clock, token } = setup(server.url, { cooldownSec: 30 });
    await verifier.verify(await token(keyA));
    server.fail(503);
    clock.advance(31_000); // past the cooldown: the unknown kid triggers a refetch, which fails
    await refused(verifier.verify(await token(keyC)), "kid_unknown", 401);
    expect(server.requests).toBe(2);
    // The cached key still verifies.
    await expect(verifier.verify(await token(keyA))).resolves.toMatchObject({
      userId: expect.any(String),
    });
  });

  it("gives up on a hung issuer after timeoutMs with jwks_unavailable (503)", async () => {
    const server = await serve(keyA);
    server.hang();
    const { verifier, token } = setup(server.url, { timeoutMs: 150 });
    const started = performance.now();
    await refused(verifier.verify(await token(keyA)), "jwks_unavailable", 503);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(2_000);
  });

  it.each([500, 404])(
    "refuses with jwks_unavailable when the first fetch answers %i, then answers fast within the cooldown",
    async (status) => {
      const server = await serve(keyA);
      server.fail(status);
      const { verifier, clock, token } = setup(server.url, { cooldownSec: 30 });
      const err = await refused(verifier.verify(await token(keyA)), "jwks_unavailable", 503);
      expect((err as Error).message).not.toContain(server.url);
      // Within the cooldown the last failure is answered at once, without a new request.
      await refused(verifier.verify(await token(keyA)), "jwks_unavailable", 503);
      expect(server.requests).toBe(1);
      // Once the issuer recovers and the cooldown passes, keys load again.
      server.recover();
      clock.advance(31_000);
      await expect(verifier.verify(await token(keyA))).resolves.toBeTruthy();
      expect(server.requests).toBe(2);
    },
  );

  it("serves stale keys while the issuer fails (stale-if-error), up to maxAgeSec + maxStaleSec", async () => {
    const server = await serve(keyA);
    const { verifier, clock, token } = setup(server.url, {
      maxAgeSec: 60,
      maxStaleSec: 120,
      cooldownSec: 10,
    });
    await verifier.verify(await token(keyA));
    expect(server.requests).toBe(1);
    server.fail(500);

    clock.advance(61_000); // stale, still usable
    await expect(verifier.verify(await token(keyA))).resolves.toBeTruthy();
    // ...and a background refresh was attempted.
    await vi.waitFor(() => expect(server.requests).toBe(2));

    clock.advance(100_000); // 161 s: still within 60 + 120
    await expect(verifier.verify(await token(keyA))).resolves.toBeTruthy();

    clock.advance(20_000); // 181 s: past 60 + 120
    await refused(verifier.verify(await token(keyA)), "jwks_unavailable", 503);
  });

  it("picks up a recovered issuer after a stale period", async () => {
    const server = await serve(keyA);
    const { verifier, clock, token } = setup(server.url, { maxAgeSec: 60, cooldownSec: 10 });
    await verifier.verify(await token(keyA));
    server.setJwks({ keys: [keyB.publicJwk] });
    clock.advance(61_000);
    await verifier.verify(await token(keyA)); // stale hit, refresh in background
    await vi.waitFor(() => expect(server.requests).toBe(2));
    // Give the background refresh its turn to install the new set.
    await vi.waitFor(async () => {
      await refused(verifier.verify(await token(keyA)), "kid_unknown");
    });
    await expect(verifier.verify(await token(keyB))).resolves.toBeTruthy();
  });

  it("refuses a JWKS larger than maxBytes (by content-length)", async () => {
    const server = await serve(keyA);
    const { verifier, token } = setup(server.url, { maxBytes: 64 });
    await refused(verifier.verify(await token(keyA)), "jwks_unavailable", 503);
  });

  it("refuses a JWKS larger than maxBytes streamed without content-length", async () => {
    const body = new TextEncoder().encode(JSON.stringify({ keys: [keyA.publicJwk] }));
    const chunked = vi.fn<typeof fetch>(async () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < body.length; i += 16) controller.enqueue(body.slice(i, i + 16));
          controller.close();
        },
      });
      const res = new Response(stream, { headers: { "content-type": "application/json" } });
      expect(res.headers.get("content-length")).toBeNull();
      return res;
    });
    const small = setup("https://auth.example.test/jwks", { maxBytes: 64, fetch: chunked });
    await refused(small.verifier.verify(await small.token(keyA)), "jwks_unavailable", 503);
    // The same stream within the limit is accepted.
    const large = setup("https://auth.example.test/jwks", { maxBytes: 4096, fetch: chunked });
    await expect(large.verifier.verify(await large.token(keyA))).resolves.toBeTruthy();
    expect(chunked).toHaveBeenCalledTimes(2);
  });

  it("refuses a JWKS that is not JSON", async () => {
    const server = await serveJwks(() => "{not json");
    servers.push(server);
    const { verifier, token } = setup(server.url);
    await refused(verifier.verify(await token(keyA)), "jwks_unavailable", 503);
  });

  const weakRsa = generateTestKeys({ kid: "weak", modulusLength: 1024 });
  it.each([
    ["use: enc", { ...keyA.publicJwk, use: "enc" }],
    ["key_ops without verify", { ...keyA.publicJwk, key_ops: ["encrypt"] }],
    ["a symmetric oct key", { kty: "oct", kid: "key-a", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQ" }],
    ["an RSA key under 2048 bits", weakRsa.publicJwk],
    ["an unknown alg", { ...keyA.publicJwk, alg: "ES999" }],
  ])("finds no usable key in a JWKS holding only %s", async (_name, jwk) => {
    const server = await serveJwks({ keys: [jwk] });
    servers.push(server);
    const { verifier, token } = setup(server.url);
    await refused(verifier.verify(await token(keyA)), "jwks_unavailable", 503);
  });

  it("never verifies with an RSA key under 2048 bits, even one published without alg", async () => {
    const { alg: _alg, ...noAlg } = weakRsa.publicJwk;
    const server = await serveJwks({ keys: [noAlg] });
    servers.push(server);
    const { verifier, clock } = setup(server.url);
    const forged = signRawJwt({
      header: { alg: "RS256", kid: "weak" },
      payload: { iss: ISS, sub: "u", exp: nowSec(clock) + 60 },
      key: weakRsa.privateKey,
    });
    const err = await verifier.verify(forged).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isGatehouseError(err)).toBe(true);
    expect(["kid_unknown", "jwks_unavailable"]).toContain((err as { code: string }).code);
  });

  it("uses the usable keys of a JWKS that also holds unusable ones", async () => {
    const server = await serveJwks({
      keys: [{ ...keyB.publicJwk, use: "enc" }, { kty: "oct", k: "c2VjcmV0" }, keyA.publicJwk],
    });
    servers.push(server);
    const { verifier, token } = setup(server.url);
    await expect(verifier.verify(await token(keyA))).resolves.toBeTruthy();
    await refused(verifier.verify(await token(keyB)), "kid_unknown");
  });
});

describe("RemoteKeySource", () => {
  it("answers synchronously once the set is cached", async () => {
    const server = await serve(keyA);
    const clock = createFakeClock();
    const source = new RemoteKeySource(server.url, {}, clock);
    const first = source.candidates("key-a", "ES256");
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toHaveLength(1);
    const second = source.candidates("key-a", "ES256");
    expect(Array.isArray(second)).toBe(true);
    // A known kid with the wrong algorithm yields no key, and no fetch.
    expect(source.candidates("key-a", "RS256")).toEqual([]);
    expect(server.requests).toBe(1);
  });
});
