import { describe, expect, it } from "vitest";
import { createAuditLog } from "../log.js";
import { auditEventModel } from "../model.js";
import { recordStoreSink } from "../sinks.js";
import { BACKENDS, useBackend } from "./test-backends.js";
import { buildChain, writeEvents } from "./test-chain.js";
import { verifyAll, verifyStream } from "./verify-stream.js";

describe.each(BACKENDS)("verifyStream / verifyAll on $name", ({ open }) => {
  const db = useBackend(open);

  it("verifies a stored chain across pages, and finds each tampering where it is", async () => {
    const events = buildChain(1203, "paged");
    if (db.records.createMany) {
      const { eventRow } = await import("./test-chain.js");
      await db.records.createMany(auditEventModel, events.map(eventRow));
    } else {
      await writeEvents(db.records, events);
    }
    expect(await verifyStream(db.records, "paged")).toMatchObject({
      ok: true,
      checked: 1203,
      streams: [{ stream: "paged", firstSeq: 1, headSeq: 1203, headHash: events[1202]!.hash }],
    });

    await db.records.update(auditEventModel, events[499]!.id, { action: "session.revoked" });
    await db.records.update(auditEventModel, events[700]!.id, { ip: "198.51.100.66" });
    await db.records.delete(auditEventModel, events[1000]!.id);
    const result = await verifyStream(db.records, "paged");
    expect(result.problems.map(({ kind, seq, id }) => ({ kind, seq, id }))).toEqual([
      { kind: "altered", seq: 500, id: events[499]!.id },
      { kind: "altered", seq: 701, id: events[700]!.id },
      { kind: "deleted", seq: 1001, id: null },
    ]);
    expect(result.problems.every((p) => p.stream === "paged")).toBe(true);
  });

  it("finds two events whose positions were swapped in the table", async () => {
    const events = buildChain(6, "swapped");
    await writeEvents(db.records, events);
    const [a, b] = [events[1]!, events[4]!];
    await db.records.update(auditEventModel, a.id, { seq: 0, position: "tmp" });
    await db.records.update(auditEventModel, b.id, { seq: 2, position: "swapped#2" });
    await db.records.update(auditEventModel, a.id, { seq: 5, position: "swapped#5" });
    const result = await verifyStream(db.records, "swapped");
    expect(result.problems.map(({ kind, seq, id }) => ({ kind, seq, id }))).toEqual([
      { kind: "reordered", seq: 2, id: b.id },
      { kind: "reordered", seq: 5, id: a.id },
    ]);
  });

  it("verifyAll checks every stream and names the stream of each problem", async () => {
    const streams = ["all-a", "all-b", "all-c"];
    for (const s of streams) await writeEvents(db.records, buildChain(4, s));
    const before = await verifyAll(db.records);
    const mine = before.streams.filter((s) => streams.includes(s.stream));
    expect(mine.map((s) => [s.stream, s.checked])).toEqual(streams.map((s) => [s, 4]));
    const victim = buildChain(4, "all-b")[2]!;
    await db.records.delete(auditEventModel, victim.id);
    const after = await verifyAll(db.records);
    expect(after.ok).toBe(false);
    expect(after.problems).toContainEqual(
      expect.objectContaining({ stream: "all-b", seq: 3, kind: "deleted" }),
    );
    expect(after.problems.filter((p) => streams.includes(p.stream))).toHaveLength(1);
  });

  it("verifies what the log wrote, whatever order the store gives metadata keys back in", async () => {
    // PostgreSQL's jsonb returns keys shortest first: "route" before "method", "z" before "aa".
    const audit = createAuditLog({ sinks: [recordStoreSink(db.records)], stream: "keys" });
    const metadata = {
      method: "GET",
      route: "/orgs/:orgId",
      status: 200,
      10: "ten",
      9: "nine",
      nested: { aa: [{ yy: 1, x: 2 }], z: { "\u00e9t\u00e9": true, b: null } },
    };
    for (let i = 0; i < 3; i++)
      audit.record({ action: "http.request", metadata: { ...metadata, i } });
    await audit.close();
    const stored = await db.records.findMany(auditEventModel, { where: { stream: "keys" } });
    expect(stored.items.map((e) => e.metadata)).toEqual([0, 1, 2].map((i) => ({ ...metadata, i })));
    expect(await verifyStream(db.records, "keys")).toMatchObject({ ok: true, checked: 3 });
  });

  it("an unknown stream is empty and valid", async () => {
    expect(await verifyStream(db.records, "nope")).toMatchObject({
      ok: true,
      checked: 0,
      streams: [{ stream: "nope", headSeq: null }],
    });
  });
});
