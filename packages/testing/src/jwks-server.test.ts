import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { type JwksServer, type JwksSource, serveJwks } from "./jwks-server.js";
import { generateTestKeys } from "./keys.js";
import { mintToken } from "./mint.js";

const keys = generateTestKeys();
const servers: JwksServer[] = [];

async function start(jwks: JwksSource = keys.jwks, options?: Parameters<typeof serveJwks>[1]) {
  const server = await serveJwks(jwks, options);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A remote key set that refetches on every lookup, so each verify hits the server. */
function uncached(server: JwksServer, timeoutDuration = 1_000) {
  return createRemoteJWKSet(new URL(server.url), {
    cacheMaxAge: 0,
    cooldownDuration: 0,
    timeoutDuration,
  });
}

describe("serveJwks", () => {
  it("serves the JWKS as JSON on 127.0.0.1 at the well-known path and at /", async () => {
    const server = await start();
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/.well-known/jwks.json`);
    for (const url of [server.url, `${server.origin}/`, `${server.url}?x=1`]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.json()).toEqual(keys.jwks);
    }
    expect(server.requests).toBe(3);
  });

  it("counts only JWKS GET/HEAD requests; other paths 404, other methods 405", async () => {
    const server = await start();
    expect((await fetch(`${server.origin}/other`)).status).toBe(404);
    const post = await fetch(server.url, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(server.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(server.requests).toBe(1);
  });

  it("takes a custom path and extra headers", async () => {
    const server = await start(keys.jwks, {
      path: "/keys",
      headers: { "cache-control": "max-age=60" },
    });
    expect(server.url).toBe(`${server.origin}/keys`);
    const res = await fetch(server.url);
    expect(res.headers.get("cache-control")).toBe("max-age=60");
    expect((await fetch(`${server.origin}/.well-known/jwks.json`)).status).toBe(404);
  });

  it("lets jose verify a minted token through createRemoteJWKSet, cached after one fetch", async () => {
    const server = await start();
    const keySet = createRemoteJWKSet(new URL(server.url));
    for (let i = 0; i < 3; i++) {
      const { payload } = await jwtVerify(await mintToken(keys, { sub: `u${i}` }), keySet);
      expect(payload.sub).toBe(`u${i}`);
    }
    expect(server.requests).toBe(1);
  });

  it("fail() answers with the status until recover()", async () => {
    const server = await start();
    const token = await mintToken(keys, { sub: "u" });
    const keySet = uncached(server);
    server.fail();
    const res = await fetch(server.url);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "jwks_unavailable", status: 503 });
    await expect(jwtVerify(token, keySet)).rejects.toThrow(/Expected 200 OK/);
    server.fail(500);
    expect((await fetch(server.url)).status).toBe(500);
    server.recover();
    await expect(jwtVerify(token, keySet)).resolves.toBeTruthy();
    expect(server.requests).toBe(4);
    expect(() => server.fail(200)).toThrow(TypeError);
  });

  it("hang() never answers, so clients time out; recover() serves again", async () => {
    const server = await start();
    const token = await mintToken(keys, { sub: "u" });
    const keySet = uncached(server, 100);
    server.hang();
    await expect(jwtVerify(token, keySet)).rejects.toBeInstanceOf(errors.JWKSTimeout);
    expect(server.requests).toBe(1);
    server.recover();
    await expect(jwtVerify(token, keySet)).resolves.toBeTruthy();
  });

  it("close() ends hung requests instead of waiting for them", async () => {
    const server = await serveJwks(keys.jwks);
    server.hang();
    const pending = fetch(server.url);
    await expect.poll(() => server.requests).toBe(1);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
    await server.close(); // idempotent
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it("setDelay() slows every answer down", async () => {
    const server = await start(keys.jwks, { delayMs: 150 });
    const started = performance.now();
    expect((await fetch(server.url)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    const token = await mintToken(keys, { sub: "u" });
    await expect(jwtVerify(token, uncached(server, 50))).rejects.toBeInstanceOf(errors.JWKSTimeout);
    server.setDelay(0);
    await expect(jwtVerify(token, uncached(server, 50))).resolves.toBeTruthy();
    expect(() => server.setDelay(-1)).toThrow(TypeError);
  });

  it("setJwks() rotates keys", async () => {
    const next = generateTestKeys();
    const server = await start();
    const keySet = createRemoteJWKSet(new URL(server.url), { cooldownDuration: 0 });
    await jwtVerify(await mintToken(keys, {}), keySet);
    const rotated = await mintToken(next, {});
    await expect(jwtVerify(rotated, keySet)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    server.setJwks({ keys: [...keys.jwks.keys, next.publicJwk] });
    await expect(jwtVerify(rotated, keySet)).resolves.toBeTruthy();
  });

  it("calls a function source per request and sends a returned string verbatim", async () => {
    let calls = 0;
    const server = await start(() => {
      calls += 1;
      return calls === 1 ? keys.jwks : "{not json";
    });
    expect(await (await fetch(server.url)).json()).toEqual(keys.jwks);
    expect(await (await fetch(server.url)).text()).toBe("{not json");
    server.setJwks(() => {
      throw new Error("boom");
    });
    expect((await fetch(server.url)).status).toBe(500);
    expect(calls).toBe(2);
  });

  it("implements Symbol.asyncDispose", async () => {
    const server = await serveJwks(keys.jwks);
    await server[Symbol.asyncDispose]();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it("rejects a source that is not a JWKS or a function", async () => {
    await expect(serveJwks({} as JwksSource)).rejects.toThrow(TypeError);
    await expect(serveJwks(keys.jwks, { path: "x" })).rejects.toThrow(TypeError);
    const server = await start();
    expect(() => server.setJwks(null as unknown as JwksSource)).toThrow(TypeError);
  });
});
