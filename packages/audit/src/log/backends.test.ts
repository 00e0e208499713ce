// The log over a RecordStore on every backend: an outage spools, recovery
// replays in order, and the store ends with each event exactly once in an
// unbroken chain.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { recordStoreSink } from "../sinks/record-store.js";
import { createAuditLog } from "./create.js";
import { type Backend, storedEvents, switchable, testBackends } from "./test-backends.js";
import { chainProblems, tempDir } from "./test-helpers.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const spoolDir = () => {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
};

describe.each(testBackends())("on $name", (kind) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await kind.open();
  }, 30_000);
  afterAll(async () => {
    await backend?.close();
  });

  it("spools through an outage and replays in order without duplicates", async () => {
    const store = switchable(backend.records);
    const log = createAuditLog({
      sinks: [recordStoreSink(store.records)],
      spoolDir: spoolDir(),
      batchSize: 10,
      onError: () => {},
    });
    for (let i = 0; i < 25; i++) log.record({ action: "before.outage", metadata: { i } });
    await log.flush();
    store.down = true;
    for (let i = 0; i < 30; i++) log.record({ action: "during.outage", metadata: { i } });
    await log.flush();
    expect(log.stats).toMatchObject({ written: 25, spooled: 30, lost: 0 });
    store.down = false;
    for (let i = 0; i < 5; i++) log.record({ action: "after.outage", metadata: { i } });
    await log.flush();
    await log.close();

    const events = (await storedEvents(backend.records)).filter((e) => e.stream === log.stream);
    expect(events).toHaveLength(60);
    expect(new Set(events.map((e) => e.id)).size).toBe(60);
    // ids are UUIDv7, so id order is recording order: the chain runs the same way.
    expect(events.map((e) => e.seq)).toEqual([...Array(60).keys()].map((i) => i + 1));
    expect(chainProblems(events)).toEqual([]);
    expect(log.stats).toMatchObject({ replayed: 30, lost: 0 });
  });

  it("a replay of events the store already holds writes nothing twice", async () => {
    const log = createAuditLog({ sinks: [recordStoreSink(backend.records)], spoolDir: spoolDir() });
    for (let i = 0; i < 12; i++) log.record({ action: "a.b" });
    await log.close();
    const mine = (await storedEvents(backend.records)).filter((e) => e.stream === log.stream);
    const sink = recordStoreSink(backend.records);
    await sink.write(mine); // as a replay after an acknowledged-but-reported-failed write would
    await sink.write([...mine.slice(5), ...mine.slice(0, 5)]);
    const after = (await storedEvents(backend.records)).filter((e) => e.stream === log.stream);
    expect(after).toHaveLength(12);
    expect(after).toEqual(mine);
  });

  it("a named stream continues its chain after a restart, also past what only the spool holds", async () => {
    const stream = `api-${kind.name}`;
    const dir = spoolDir();
    const store = switchable(backend.records);
    const first = createAuditLog({
      sinks: [recordStoreSink(store.records)],
      stream,
      spoolDir: dir,
      onError: () => {},
    });
    for (let i = 0; i < 4; i++) first.record({ action: "first.run" });
    await first.flush();
    store.down = true;
    for (let i = 0; i < 3; i++) first.record({ action: "first.spooled" });
    await first.close();
    store.down = false;

    const sink = recordStoreSink(backend.records);
    expect(await sink.head!(stream)).toMatchObject({ seq: 4 });
    const second = createAuditLog({ sinks: [sink], stream, spoolDir: dir });
    second.record({ action: "second.run" });
    await second.close();
    const events = (await storedEvents(backend.records))
      .filter((e) => e.stream === stream)
      .sort((a, b) => a.seq - b.seq);
    expect(events.map((e) => e.action)).toEqual([
      ...Array(4).fill("first.run"),
      ...Array(3).fill("first.spooled"),
      "second.run",
    ]);
    expect(chainProblems(events)).toEqual([]);
    expect(await sink.head!(stream)).toEqual({ seq: 8, hash: events[7]!.hash });
  });
});
