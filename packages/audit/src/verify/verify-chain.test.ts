import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { buildChain, erased, rehash, rewrite, seal, T0, v7 } from "./test-chain.js";
import { verifyChain } from "./verify-chain.js";

const STREAM = "api-1";
const bySeq = (events: AuditEvent[]) =>
  [...events].sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1));
const at = (events: AuditEvent[], seq: number) => events.find((e) => e.seq === seq)!;
const replace = (events: AuditEvent[], seq: number, patch: Partial<AuditEvent>) =>
  events.map((e) => (e.seq === seq ? { ...e, ...patch } : e));
const problemsOf = async (events: Iterable<AuditEvent>, options = {}) =>
  (await verifyChain(events, { stream: STREAM, ...options })).problems.map(({ kind, seq, id }) => ({
    kind,
    seq,
    id,
  }));

describe("verifyChain: a valid chain", () => {
  it("verifies and summarises it", async () => {
    const events = buildChain(12);
    const result = await verifyChain(events);
    expect(result).toEqual({
      ok: true,
      checked: 12,
      streams: [
        {
          stream: STREAM,
          checked: 12,
          firstSeq: 1,
          headSeq: 12,
          headHash: events[11]!.hash,
          prunedStart: false,
          erased: 0,
        },
      ],
      problems: [],
      problemsOmitted: 0,
    });
  });

  it("reads async iterables, and an empty stream is valid", async () => {
    async function* gen() {
      yield* buildChain(3);
    }
    expect((await verifyChain(gen())).ok).toBe(true);
    expect(await verifyChain([], { stream: "empty" })).toMatchObject({
      ok: true,
      checked: 0,
      streams: [{ stream: "empty", firstSeq: null, headSeq: null }],
    });
  });

  it("accepts events with null personal fields and erased events", async () => {
    const events = buildChain(6, STREAM, (seq) =>
      seq === 2 ? { actorId: null, ip: null, userAgent: null, metadata: null, targetId: null } : {},
    );
    const withErasure = events.map((e) => (e.seq % 2 ? erased(e) : e));
    const result = await verifyChain(withErasure);
    expect(result.ok).toBe(true);
    expect(result.streams[0]!.erased).toBe(3);
  });
});

describe("verifyChain: altered", () => {
  it.each([
    ["action", { action: "session.revoked", actionNamespace: "session" }],
    ["time", { time: T0 }],
    ["outcome", { outcome: "failure" }],
    ["orgId", { orgId: "org_b" }],
    ["requestId", { requestId: "req_x" }],
    ["id", { id: v7(T0 + 5000, 99) }],
    ["prevHash", { prevHash: "0".repeat(64) }],
    ["piiDigest", { piiDigest: "f".repeat(64) }],
    ["hash", { hash: "a".repeat(64) }],
  ] as const)("a changed %s is altered at its seq", async (_field, patch) => {
    const events = buildChain(8);
    const problems = await problemsOf(replace(events, 5, patch));
    const id = "id" in patch ? patch.id : at(events, 5).id;
    expect(problems).toEqual([{ kind: "altered", seq: 5, id }]);
  });

  it.each([
    ["actorId", { actorId: "user_evil" }],
    ["impersonatorId", { impersonatorId: "admin_1" }],
    ["targetId", { targetId: "sess_other" }],
    ["ip", { ip: "198.51.100.1" }],
    ["userAgent", { userAgent: "curl/8" }],
    ["metadata", { metadata: { n: 999 } }],
    ["piiSalt", { piiSalt: "another-salt" }],
    ["piiSalt (deleted without erasure)", { piiSalt: null }],
  ] as const)("a changed personal field (%s) is altered", async (_field, patch) => {
    const events = buildChain(8);
    const [problem] = (await verifyChain(replace(events, 3, patch))).problems;
    expect(problem).toMatchObject({ kind: "altered", seq: 3, id: at(events, 3).id });
    expect(problem!.detail).toMatch(/piiDigest|piiSalt/);
    expect(problem!.detail).not.toContain(String(Object.values(patch)[0]));
  });

  it("an actionNamespace that does not match the action is altered (it is not hashed)", async () => {
    const problems = await problemsOf(replace(buildChain(4), 2, { actionNamespace: "admin" }));
    expect(problems).toMatchObject([{ kind: "altered", seq: 2 }]);
  });

  it("an erased event is checked against its stored digest only, but must hold no personal data", async () => {
    const events = buildChain(5).map((e) => (e.seq === 3 ? erased(e) : e));
    // Pseudonyms cannot be checked: that is what erasure is for.
    expect(await problemsOf(replace(events, 3, { actorId: "erased:ffffffffffff" }))).toEqual([]);
    for (const patch of [{ ip: "203.0.113.9" }, { metadata: { a: 1 } }, { piiSalt: "s" }]) {
      expect(await problemsOf(replace(events, 3, patch))).toMatchObject([
        { kind: "altered", seq: 3 },
      ]);
    }
    // Faking an erasure to hide a change still needs the stored digest to stay: the hash covers it.
    expect(await problemsOf(replace(events, 3, { piiDigest: "0".repeat(64) }))).toMatchObject([
      { kind: "altered", seq: 3 },
    ]);
  });

  it("a rehashed alteration breaks the next link: reported there as deleted", async () => {
    const events = buildChain(6);
    const forged = rehash({ ...at(events, 3), action: "session.revoked" });
    const problems = await problemsOf(events.map((e) => (e.seq === 3 ? forged : e)));
    expect(problems).toEqual([{ kind: "deleted", seq: 4, id: at(events, 4).id }]);
  });
});

describe("verifyChain: deleted", () => {
  it("a missing event is deleted at its seq", async () => {
    const events = buildChain(10);
    expect(await problemsOf(events.filter((e) => e.seq !== 4))).toEqual([
      { kind: "deleted", seq: 4, id: null },
    ]);
    const [problem] = (await verifyChain(events.filter((e) => e.seq < 4 || e.seq > 7))).problems;
    expect(problem).toMatchObject({ kind: "deleted", seq: 4, id: null });
    expect(problem!.detail).toBe(`seqs 4-7 are missing before seq 8 (id ${at(events, 8).id}).`);
  });

  it("a missing first event is deleted at seq 1", async () => {
    expect(await problemsOf(buildChain(5).slice(1))).toEqual([
      { kind: "deleted", seq: 1, id: null },
    ]);
  });

  it("a missing last event needs the checkpointed head", async () => {
    const events = buildChain(5);
    const head = { seq: 5, hash: events[4]!.hash };
    expect(await problemsOf(events.slice(0, 4))).toEqual([]);
    const [problem] = (await verifyChain(events.slice(0, 3), { head })).problems;
    expect(problem).toMatchObject({ kind: "deleted", seq: 4, id: null });
    expect(problem!.detail).toContain("ends at seq 3 but a checkpoint signed seq 5");
    expect(await problemsOf([], { head })).toEqual([{ kind: "deleted", seq: 1, id: null }]);
  });

  it("a first event that does not start the chain is deleted (prevHash not empty)", async () => {
    const events = buildChain(3);
    const orphan = rehash({ ...events[0]!, prevHash: "9".repeat(64) });
    expect(await problemsOf([orphan, ...events.slice(1)])).toEqual([
      { kind: "deleted", seq: 1, id: orphan.id },
    ]);
  });
});

describe("verifyChain: inserted", () => {
  it("a forged event claiming a taken seq is inserted; the linked one stays", async () => {
    const events = buildChain(6);
    const forged = seal(at(events, 2), STREAM, { id: v7(T0, 1), action: "admin.user.deleted" });
    expect(forged.seq).toBe(3);
    expect(await problemsOf(bySeq([...events, forged]))).toEqual([
      { kind: "inserted", seq: 3, id: forged.id },
    ]);
  });

  it("a forged event at the head claiming a taken seq is told apart by the checkpoint", async () => {
    const events = buildChain(4);
    const forged = seal(at(events, 3), STREAM, { id: v7(T0 + 99_000, 1) });
    const head = { seq: 4, hash: events[3]!.hash };
    expect(await problemsOf(bySeq([...events, forged]), { head })).toEqual([
      { kind: "inserted", seq: 4, id: forged.id },
    ]);
  });

  it("a second copy of an event is inserted", async () => {
    const events = buildChain(4);
    const [problem] = (await verifyChain(bySeq([...events, events[1]!]))).problems;
    expect(problem).toMatchObject({ kind: "inserted", seq: 2, id: events[1]!.id });
    expect(problem!.detail).toContain("second copy");
  });

  it("an event whose seq jumps while its prevHash follows is inserted", async () => {
    const events = buildChain(4);
    const forged = rehash({ ...seal(events[3], STREAM), seq: 9 });
    expect(await problemsOf([...events, forged])).toEqual([
      { kind: "inserted", seq: 9, id: forged.id },
    ]);
  });

  it("a forged tail event whose prevHash fits nothing is inserted", async () => {
    const events = buildChain(4);
    const forged = rehash({ ...seal(events[3], STREAM), prevHash: "1".repeat(64) });
    expect(await problemsOf([...events, forged])).toEqual([
      { kind: "inserted", seq: 5, id: forged.id },
    ]);
  });

  it("an event of another stream is inserted", async () => {
    const events = buildChain(4);
    const other = buildChain(3, "worker-2")[1]!;
    const [problem] = (await verifyChain(bySeq([...events, other]), { stream: STREAM })).problems;
    expect(problem).toMatchObject({ kind: "inserted", seq: 2, id: other.id, stream: STREAM });
    expect(problem!.detail).toContain('stream "worker-2"');
  });
});

describe("verifyChain: reordered", () => {
  it("two events that swapped places are reordered, each at its place", async () => {
    for (const [a, b] of [
      [3, 7],
      [3, 4],
      [1, 8],
      [1, 2],
      [7, 8],
    ] as const) {
      const events = buildChain(8);
      const swapped = bySeq(
        events.map((e) => (e.seq === a ? { ...e, seq: b } : e.seq === b ? { ...e, seq: a } : e)),
      );
      const head = { seq: 8, hash: events[7]!.hash };
      expect(await problemsOf(swapped, { head })).toEqual([
        { kind: "reordered", seq: a, id: at(events, b).id },
        { kind: "reordered", seq: b, id: at(events, a).id },
      ]);
    }
  });

  it("an event moved to another seq is reordered there, and its place is not reported missing", async () => {
    const events = buildChain(8);
    for (const to of [2, 6, 20]) {
      const moved = bySeq(replace(events, 4, { seq: to }));
      const problems = (await verifyChain(moved)).problems;
      expect(problems).toMatchObject([{ kind: "reordered", seq: to, id: at(events, 4).id }]);
      expect(problems[0]!.detail).toContain("made for seq 4");
    }
  });

  it("a prevHash linking to another position is reordered", async () => {
    const events = buildChain(6);
    const relinked = rehash({ ...at(events, 5), prevHash: at(events, 2).hash });
    const problems = await problemsOf(events.map((e) => (e.seq === 5 ? relinked : e)));
    expect(problems).toEqual([{ kind: "reordered", seq: 5, id: relinked.id }]);
  });

  it("a rewritten chain in another order is caught by its ids (recording order)", async () => {
    const events = buildChain(6);
    const order = [0, 1, 3, 2, 4, 5].map((i) => events[i]!);
    const problems = await problemsOf(rewrite(order));
    expect(problems).toEqual([{ kind: "reordered", seq: 4, id: events[2]!.id }]);
    expect(await problemsOf(rewrite(order), { checkIdOrder: false })).toEqual([]);
  });

  it("an input not in seq order is reported where the order breaks, and the chain still checked", async () => {
    const events = buildChain(6);
    const shuffled = [0, 1, 3, 2, 4, 5].map((i) => events[i]!);
    expect(await problemsOf(shuffled)).toEqual([{ kind: "reordered", seq: 3, id: events[2]!.id }]);
  });
});

describe("verifyChain: checkpoints and pruning", () => {
  it("a chain rewritten from the start verifies on its own but not against the checkpoint", async () => {
    const events = buildChain(5);
    const head = { seq: 5, hash: events[4]!.hash };
    const forged = rewrite(events.map((e) => (e.seq === 2 ? { ...e, actorId: "user_x" } : e)));
    expect(await problemsOf(forged)).toMatchObject([{ kind: "altered", seq: 2 }]);
    const reseal = buildChain(5, STREAM, (seq) => (seq === 2 ? { actorId: "user_x" } : {}));
    expect(await problemsOf(reseal)).toEqual([]);
    const [problem] = (await verifyChain(reseal, { head })).problems;
    expect(problem).toMatchObject({ kind: "altered", seq: 5, id: reseal[4]!.id });
    expect(problem!.detail).toContain("rewritten");
  });

  it("events appended after the checkpoint are fine", async () => {
    const events = buildChain(7);
    expect(await problemsOf(events, { head: { seq: 5, hash: events[4]!.hash } })).toEqual([]);
  });

  it("a purged start is refused unless allowPrunedStart, and then said", async () => {
    const events = buildChain(10).slice(4);
    expect(await problemsOf(events)).toEqual([{ kind: "deleted", seq: 1, id: null }]);
    const result = await verifyChain(events, { allowPrunedStart: true });
    expect(result).toMatchObject({
      ok: true,
      streams: [{ firstSeq: 5, headSeq: 10, prunedStart: true }],
    });
    // A gap after the pruned start is still a deletion.
    expect(
      await problemsOf(
        events.filter((e) => e.seq !== 7),
        { allowPrunedStart: true },
      ),
    ).toEqual([{ kind: "deleted", seq: 7, id: null }]);
    // An unpruned stream with the option is simply valid.
    expect((await verifyChain(buildChain(3), { allowPrunedStart: true })).streams[0]).toMatchObject(
      { prunedStart: false },
    );
  });
});

describe("verifyChain: hostile input", () => {
  it("reports malformed events instead of throwing", async () => {
    const events = buildChain(3) as unknown[];
    const bad = [events[0], { ...(events[1] as object), seq: "2" }, events[2], null, 42];
    const result = await verifyChain(bad as AuditEvent[], { stream: STREAM });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => `${p.kind} ${p.seq}`).sort()).toEqual([
      "altered 0",
      "altered 0",
      "altered 0",
      "deleted 2",
    ]);
    expect(result.problems[0]!.detail).toContain("seq is not a positive integer");
  });

  it("lists at most maxProblems and counts the rest", async () => {
    const events = buildChain(30).map((e) => ({ ...e, action: "x.y", actionNamespace: "x" }));
    const result = await verifyChain(events, { maxProblems: 5 });
    expect(result).toMatchObject({ ok: false, problemsOmitted: 25 });
    expect(result.problems).toHaveLength(5);
  });

  it("works with a window of one event", async () => {
    const events = buildChain(20);
    expect((await verifyChain(events, { window: 1 })).ok).toBe(true);
    expect(
      await problemsOf(
        events.filter((e) => e.seq !== 9),
        { window: 1 },
      ),
    ).toEqual([{ kind: "deleted", seq: 9, id: null }]);
  });

  it("refuses bad options with config_invalid", async () => {
    await expect(verifyChain([], { window: 0 })).rejects.toMatchObject({ code: "config_invalid" });
    await expect(verifyChain([], { bogus: 1 } as object)).rejects.toMatchObject({
      code: "config_invalid",
    });
  });
});
