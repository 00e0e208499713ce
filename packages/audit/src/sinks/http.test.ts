import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { createAuditLog } from "../log/create.js";
import { chainProblems, makeEvents, tempDir } from "../log/test-helpers.js";
import { httpSink } from "./http.js";

/** A loopback collector that stores accepted events by id and counts every copy. */
interface Collector {
  readonly url: string;
  /** `ok`: 202 and store; `fail`: 503; `hang`: never answer; `redirect`: 307 elsewhere. */
  mode: "ok" | "fail" | "hang" | "redirect";
  readonly requests: { headers: IncomingMessage["headers"]; body: string }[];
  readonly stored: Map<string, number>;
  close(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const hanging: ServerResponse[] = [];
  const collector = {
    mode: "ok",
    requests: [],
    stored: new Map(),
  } as unknown as Collector & { mode: Collector["mode"] };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      collector.requests.push({ headers: req.headers, body });
      if (collector.mode === "hang") return void hanging.push(res);
      if (collector.mode === "fail") return void res.writeHead(503).end("down");
      if (collector.mode === "redirect") {
        return void res.writeHead(307, { location: "http://127.0.0.1:9/elsewhere" }).end();
      }
      const events: AuditEvent[] = req.headers["content-type"]?.includes("ndjson")
        ? body
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : JSON.parse(body);
      for (const e of events) collector.stored.set(e.id, (collector.stored.get(e.id) ?? 0) + 1);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(collector, {
    url: `http://127.0.0.1:${port}/ingest/v1?token=query-secret`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return collector;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function collector(): Promise<Collector> {
  const c = await startCollector();
  cleanups.push(() => c.close());
  return c;
}

describe("httpSink", () => {
  it("POSTs a batch as NDJSON with the caller's headers", async () => {
    const c = await collector();
    const sink = httpSink({ url: c.url, headers: { authorization: "Bearer header-secret" } });
    const events = makeEvents(3);
    await sink.write(events);
    expect(c.requests).toHaveLength(1);
    expect(c.requests[0]!.headers).toMatchObject({
      "content-type": "application/x-ndjson",
      authorization: "Bearer header-secret",
    });
    expect(c.requests[0]!.body).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(""));
    expect([...c.stored.keys()]).toEqual(events.map((e) => e.id));
  });

  it('POSTs a JSON array with format: "json"', async () => {
    const c = await collector();
    const events = makeEvents(2);
    await httpSink({ url: c.url, format: "json" }).write(events);
    expect(c.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(c.requests[0]!.body)).toEqual(events);
  });

  it("rejects a non-2xx answer, a redirect, a timeout and a refused connection, naming only the origin", async () => {
    const c = await collector();
    const sink = httpSink({
      url: c.url,
      headers: { authorization: "Bearer header-secret" },
      timeoutMs: 50,
    });
    const origin = new URL(c.url).origin;
    const failures: Error[] = [];
    for (const mode of ["fail", "redirect", "hang"] as const) {
      c.mode = mode;
      failures.push(
        await sink.write(makeEvents(1)).then(
          () => new Error("resolved"),
          (e) => e,
        ),
      );
    }
    await c.close();
    failures.push(
      await sink.write(makeEvents(1)).then(
        () => new Error("resolved"),
        (e) => e,
      ),
    );
    expect(failures.map((e) => e.message)).toEqual([
      `httpSink(${origin}): the collector answered 503`,
      expect.stringMatching(/^httpSink\(.+\): the request failed/),
      `httpSink(${origin}): no answer within 50 ms`,
      // ECONNREFUSED, or a socket error when a pooled connection was cut
      expect.stringMatching(/^httpSink\(.+\): the request failed \([A-Z_]+\)$/),
    ]);
    for (const e of failures) {
      expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toMatch(
        /header-secret|query-secret|ingest/,
      );
    }
  });

  it("refuses a URL that is not http(s)", () => {
    expect(() => httpSink({ url: "file:///etc/passwd" })).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });

  it("behind an audit log: a collector that fails and recovers ends with each event once", async () => {
    const c = await collector();
    const spool = tempDir();
    cleanups.push(spool.remove);
    const log = createAuditLog({
      sinks: [httpSink({ url: c.url })],
      spoolDir: spool.dir,
      batchSize: 5,
      onError: () => {},
    });
    for (let i = 0; i < 12; i++) log.record({ action: "a.b" });
    await log.flush();
    c.mode = "fail";
    for (let i = 0; i < 13; i++) log.record({ action: "a.b" });
    await log.flush();
    expect(log.stats).toMatchObject({ spooled: 13, lost: 0 });
    c.mode = "ok";
    for (let i = 0; i < 5; i++) log.record({ action: "a.b" });
    await log.close();
    expect(c.stored.size).toBe(30);
    expect([...c.stored.values()].every((n) => n === 1)).toBe(true);
    expect(chainProblems(makeEventsFrom(c))).toEqual([]);
  });
});

/** The events a collector accepted (parsed again from its requests). */
function makeEventsFrom(c: Collector): AuditEvent[] {
  const byId = new Map<string, AuditEvent>();
  for (const r of c.requests) {
    if (!r.headers["content-type"]?.includes("ndjson")) continue;
    for (const line of r.body.split("\n").filter(Boolean)) {
      const e = JSON.parse(line) as AuditEvent;
      byId.set(e.id, e);
    }
  }
  return [...byId.values()];
}
