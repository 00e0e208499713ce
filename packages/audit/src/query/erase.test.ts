import { createHash } from "node:crypto";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import type { AuditEvent, AuditEventInput } from "../event.js";
import { auditEventModel } from "../model.js";
import { toAuditEvent } from "../verify/stored.js";
import { BACKENDS, useBackend } from "../verify/test-backends.js";
import { buildChain, T0, writeEvents } from "../verify/test-chain.js";
import { verifyStream } from "../verify/verify-stream.js";
import { defaultPseudonym, eraseSubject } from "./erase.js";

const ALICE = "user_alice";
const PSEUDONYM = `erased:${createHash("sha256").update(ALICE).digest("hex").slice(0, 12)}`;

/** Alice acts, is impersonated, is a target; Bob and an IP of hers appear too. */
const seed = (stream: string, homeIp = "203.0.113.5") =>
  buildChain(12, stream, (seq) => {
    switch (seq % 4) {
      case 0:
        return { actorId: ALICE, ip: homeIp, metadata: { email: "alice@example.com" } };
      case 1:
        return { actorId: "admin_1", impersonatorId: null, targetId: ALICE, ip: "198.51.100.1" };
      case 2:
        return { actorId: ALICE, impersonatorId: "admin_1", targetId: "sess_x", ip: "192.0.2.9" };
      default:
        return { actorId: "user_bob", targetId: `sess_${stream}`, ip: homeIp };
    }
  });

const stored = async (records: Parameters<typeof verifyStream>[0], stream: string) =>
  (await records.findMany(auditEventModel, { where: { stream }, limit: 100 })).items
    .map(toAuditEvent)
    .sort((a, b) => a.seq - b.seq);

const mentions = (e: AuditEvent, text: string) => JSON.stringify(e).includes(text);

describe.each(BACKENDS)("eraseSubject on $name", ({ open }) => {
  const db = useBackend(open);

  it("pseudonymises every event of a person, and the chain still verifies", async () => {
    const events = seed("e-1");
    await writeEvents(db.records, events);
    db.clock.set(T0 + 5_000_000);
    const result = await eraseSubject(db.records, { actorId: ALICE }, { clock: db.clock });
    expect(result).toEqual({ erased: 9 });

    const after = await stored(db.records, "e-1");
    for (const [i, e] of after.entries()) {
      const before = events[i]!;
      const hers = [before.actorId, before.impersonatorId, before.targetId].includes(ALICE);
      if (hers) {
        expect(e).toMatchObject({
          ip: null,
          userAgent: null,
          metadata: null,
          piiSalt: null,
          erasedAt: T0 + 5_000_000,
        });
        expect(mentions(e, ALICE)).toBe(false);
        expect(mentions(e, "alice@example.com")).toBe(false);
        // Only her id is replaced; the admin who acted on her stays.
        if (before.actorId === ALICE) expect(e.actorId).toBe(PSEUDONYM);
        if (before.targetId === ALICE) expect(e.targetId).toBe(PSEUDONYM);
        if (before.impersonatorId === "admin_1") expect(e.impersonatorId).toBe("admin_1");
        if (before.actorId === "admin_1") expect(e.actorId).toBe("admin_1");
        // The hashed fields and the digest are untouched.
        expect({ hash: e.hash, prevHash: e.prevHash, piiDigest: e.piiDigest }).toEqual({
          hash: before.hash,
          prevHash: before.prevHash,
          piiDigest: before.piiDigest,
        });
      } else {
        expect(e).toEqual(before);
      }
    }
    expect(await verifyStream(db.records, "e-1")).toMatchObject({
      ok: true,
      streams: [{ erased: 9 }],
    });
    // Erasing again finds nothing left.
    expect(await eraseSubject(db.records, { actorId: ALICE })).toEqual({ erased: 0 });
  });

  it("erases by IP, and by a target id with a custom pseudonym", async () => {
    const events = seed("e-2", "203.0.113.77");
    await writeEvents(db.records, events);
    expect(await eraseSubject(db.records, { ip: "203.0.113.77" })).toEqual({ erased: 6 });
    const byIp = await stored(db.records, "e-2");
    expect(byIp.filter((e) => e.erasedAt !== null).every((e) => e.ip === null)).toBe(true);
    // Erasing by IP keeps the ids: it does not know whose they are.
    expect(byIp.find((e) => e.seq === 4)!.actorId).toBe(ALICE);

    const result = await eraseSubject(
      db.records,
      { targetId: "sess_e-2" },
      { pseudonym: (id) => `gone:${id.length}` },
    );
    expect(result.erased).toBe(3);
    const after = await stored(db.records, "e-2");
    expect(after.filter((e) => e.targetId === "gone:8")).toHaveLength(3);
    expect(after.some((e) => mentions(e, "sess_e-2"))).toBe(false);
    expect((await verifyStream(db.records, "e-2")).ok).toBe(true);
  });

  it("after erasure, the chain still catches a changed non-personal field", async () => {
    const events = seed("e-3");
    await writeEvents(db.records, events);
    await eraseSubject(db.records, { actorId: ALICE }, { pseudonym: "erased" });
    await db.records.update(auditEventModel, events[3]!.id, { action: "session.created" });
    expect((await verifyStream(db.records, "e-3")).problems).toMatchObject([
      { kind: "altered", seq: 4, id: events[3]!.id },
    ]);
  });
});

describe("eraseSubject checks", () => {
  const store = { findMany: async () => ({ items: [], nextCursor: null }) } as never;

  it("records the erasure (count and pseudonym, never the id) in an audit log", async () => {
    const recorded: AuditEventInput[] = [];
    const clock = createFakeClock();
    await eraseSubject(
      store,
      { actorId: ALICE },
      { clock, log: { record: (e) => void recorded.push(e) } },
    );
    expect(recorded).toEqual([
      {
        action: "audit.subject.erased",
        target: { type: "subject", id: defaultPseudonym(ALICE) },
        metadata: { events: 0, ip: false },
        time: clock.now(),
      },
    ]);
    expect(JSON.stringify(recorded)).not.toContain(ALICE);
  });

  it.each([
    ["no subject", {}],
    ["an empty id", { actorId: "" }],
    ["an unknown key", { email: "a@b.c" }],
    ["a non-string id", { actorId: 42 }],
  ])("refuses %s with input_invalid", async (_name, subject) => {
    await expect(eraseSubject(store, subject as never)).rejects.toMatchObject({
      code: "input_invalid",
    });
  });

  it("refuses a pseudonym equal to the id (nothing would be erased)", async () => {
    await expect(
      eraseSubject(store, { actorId: ALICE }, { pseudonym: (id) => id }),
    ).rejects.toMatchObject({ code: "config_invalid" });
    await expect(eraseSubject(store, { actorId: ALICE }, { pseudonym: "" })).rejects.toMatchObject({
      code: "config_invalid",
    });
  });
});
