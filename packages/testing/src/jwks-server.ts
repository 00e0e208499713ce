import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What a {@link JwksServer} serves: a JWKS object, or a function called on every request
 * whose result is serialised with `JSON.stringify` (a returned string is sent verbatim, so a
 * test can serve malformed JSON).
 */
export type JwksSource = { keys: unknown[] } | (() => unknown);

/** Options for {@link serveJwks}. */
export interface ServeJwksOptions {
  /**
   * Path of the JWKS; `/` serves it too.
   * @default "/.well-known/jwks.json"
   */
  path?: string;
  /**
   * Delay in milliseconds before every response (see {@link JwksServer.setDelay}).
   * @default 0
   */
  delayMs?: number;
  /**
   * Extra response headers on successful responses, e.g. `{ "cache-control": "max-age=60" }`.
   * @default {}
   */
  headers?: Record<string, string>;
}

/** A local JWKS endpoint with knobs to simulate an issuer that is slow, down or rotating keys. */
export interface JwksServer extends AsyncDisposable {
  /** Full URL of the JWKS, e.g. `http://127.0.0.1:54321/.well-known/jwks.json`. */
  readonly url: string;
  /** Origin of the server, e.g. `http://127.0.0.1:54321`. */
  readonly origin: string;
  /** Number of GET/HEAD requests received for the JWKS, including failed and hung ones. */
  readonly requests: number;
  /** Serve another JWKS from now on (key rotation). */
  setJwks(jwks: JwksSource): void;
  /**
   * Answer later requests with `status` (400–599) and a JSON error body.
   * @default status 503
   */
  fail(status?: number): void;
  /** Never answer later requests (to test timeouts); `close()` still ends them. */
  hang(): void;
  /** Undo `fail()` and `hang()`: serve the JWKS again. The delay stays; use `setDelay(0)`. */
  recover(): void;
  /** Wait `ms` milliseconds before answering each later request. */
  setDelay(ms: number): void;
  /** Stop the server and destroy every open connection, hung ones included. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_PATH = "/.well-known/jwks.json";

type Mode = { kind: "ok" } | { kind: "fail"; status: number } | { kind: "hang" };

function assertSource(jwks: unknown): asserts jwks is JwksSource {
  const ok =
    typeof jwks === "function" ||
    (typeof jwks === "object" && jwks !== null && Array.isArray((jwks as { keys?: unknown }).keys));
  if (!ok) throw new TypeError("serveJwks: jwks must be { keys: [...] } or a function");
}

function assertDelay(ms: number): void {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new TypeError("serveJwks: delay must be a finite number of milliseconds >= 0");
  }
}

/**
 * Serve a JWKS over HTTP on 127.0.0.1 (ephemeral port) for tests of remote key sets.
 *
 * @param initial - The JWKS to serve, or a function producing it per request.
 * @param options - Path, delay and extra headers.
 * @returns A started server; always `close()` it (or declare it with `await using`).
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5 (JWK Set)
 * @example
 * ```ts
 * const keys = generateTestKeys();
 * await using jwks = await serveJwks(keys.jwks);
 * const keySet = createRemoteJWKSet(new URL(jwks.url));
 * await jwtVerify(await mintToken(keys, { sub: "u1" }), keySet);
 * jwks.fail(503); // the issuer is down from now on
 * ```
 */
export async function serveJwks(
  initial: JwksSource,
  options: ServeJwksOptions = {},
): Promise<JwksServer> {
  assertSource(initial);
  const path = options.path ?? DEFAULT_PATH;
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new TypeError('serveJwks: path must start with "/"');
  }
  let delayMs = options.delayMs ?? 0;
  assertDelay(delayMs);
  const extraHeaders = { ...options.headers };
  let source: JwksSource = initial;
  let mode: Mode = { kind: "ok" };
  let requests = 0;
  let closed: Promise<void> | undefined;
  const timers = new Set<NodeJS.Timeout>();

  function respond(req: IncomingMessage, res: ServerResponse, current: Mode): void {
    if (res.destroyed || res.writableEnded) return;
    let status = 200;
    let body: string;
    let headers: Record<string, string> = { "content-type": "application/json" };
    if (current.kind === "fail") {
      status = current.status;
      body = JSON.stringify({ error: "jwks_unavailable", status });
    } else {
      try {
        const value = typeof source === "function" ? source() : source;
        body = typeof value === "string" ? value : JSON.stringify(value);
        headers = { ...headers, ...extraHeaders };
      } catch {
        status = 500;
        body = JSON.stringify({ error: "jwks_source_threw" });
      }
    }
    res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  const server = createServer((req, res) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    } catch {
      pathname = "";
    }
    if (pathname !== path && pathname !== "/") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    requests += 1;
    const current = mode;
    if (current.kind === "hang") return; // close() destroys the socket.
    if (delayMs === 0) {
      respond(req, res, current);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      respond(req, res, current);
    }, delayMs);
    timers.add(timer);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  // A forgotten server must not keep the test runner alive.
  server.unref();
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  function close(): Promise<void> {
    closed ??= new Promise<void>((resolve, reject) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
    return closed;
  }

  return {
    url: `${origin}${path}`,
    origin,
    get requests() {
      return requests;
    },
    setJwks(jwks: JwksSource): void {
      assertSource(jwks);
      source = jwks;
    },
    fail(status = 503): void {
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new TypeError("serveJwks: fail(status) needs an error status code (400-599)");
      }
      mode = { kind: "fail", status };
    },
    hang(): void {
      mode = { kind: "hang" };
    },
    recover(): void {
      mode = { kind: "ok" };
    },
    setDelay(ms: number): void {
      assertDelay(ms);
      delayMs = ms;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
