// Property: any single deletion, alteration, insertion, swap or move in a
// random chain is reported, once, at the right position.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { buildChain, type EventFields, erased, seal, T0, v7 } from "./test-chain.js";
import { verifyChain } from "./verify-chain.js";

const STREAM = "prop";
const bySeq = (events: AuditEvent[]) =>
  [...events].sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1));

const fieldsArb: fc.Arbitrary<EventFields> = fc.record(
  {
    action: fc.constantFrom("session.created", "signin.failed", "admin.user.updated", "logout"),
    outcome: fc.constantFrom("success", "failure", "denied"),
    actorId: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
    impersonatorId: fc.option(fc.constant("admin_1"), { nil: null }),
    targetId: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
    orgId: fc.option(fc.constantFrom("org_a", "org_b"), { nil: null }),
    ip: fc.option(fc.ipV4(), { nil: null }),
    metadata: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.integer()), { nil: null }),
  },
  { requiredKeys: [] },
);

/** A random valid chain; some events erased. */
const chainArb = fc
  .array(fc.tuple(fieldsArb, fc.boolean()), { minLength: 1, maxLength: 24 })
  .map((specs) => {
    const events = buildChain(specs.length, STREAM, (seq) => specs[seq - 1]![0]);
    return events.map((e, i) => (specs[i]![1] ? erased(e) : e));
  });

const HASHED = ["action", "time", "outcome", "orgId", "id", "prevHash", "piiDigest", "hash"];
const PERSONAL = [
  "actorId",
  "impersonatorId",
  "targetId",
  "ip",
  "userAgent",
  "metadata",
  "piiSalt",
];

function changed(event: AuditEvent, field: string): Partial<AuditEvent> {
  const value = (event as unknown as Record<string, unknown>)[field];
  switch (field) {
    case "time":
      return { time: event.time + 1 };
    case "id":
      return { id: v7(T0 - 1, 7) };
    case "prevHash":
    case "piiDigest":
    case "hash":
      return {
        [field]: `${(value as string).slice(0, -1)}${(value as string).endsWith("0") ? "1" : "0"}`,
      };
    case "metadata":
      return { metadata: { tampered: true } };
    case "action":
      return { action: `${event.actionNamespace}.tampered` };
    case "outcome":
      return { outcome: event.outcome === "denied" ? "success" : "denied" };
    default:
      return { [field]: typeof value === "string" ? `${value}x` : "x" };
  }
}

type Tamper =
  | { kind: "delete"; at: number }
  | { kind: "alter"; at: number; field: string }
  | { kind: "insert"; at: number; id: number }
  | { kind: "swap"; at: number; with: number }
  | { kind: "move"; at: number; to: number };

const tamperArb = (n: number): fc.Arbitrary<Tamper> => {
  const at = fc.integer({ min: 0, max: n - 1 });
  const options: fc.Arbitrary<Tamper>[] = [
    at.map((i) => ({ kind: "delete", at: i })),
    fc.tuple(at, fc.constantFrom(...HASHED, ...PERSONAL)).map(([i, field]) => ({
      kind: "alter",
      at: i,
      field,
    })),
    fc.tuple(at, fc.integer({ min: 1, max: 0xffffff })).map(([i, id]) => ({
      kind: "insert",
      at: i,
      id,
    })),
    fc
      .tuple(at, fc.integer({ min: 1, max: n + 3 }))
      .map(([i, to]) => ({ kind: "move", at: i, to })),
  ];
  if (n > 1) {
    options.push(
      fc
        .tuple(at, at)
        .filter(([a, b]) => a !== b)
        .map(([a, b]) => ({ kind: "swap", at: Math.min(a, b), with: Math.max(a, b) })),
    );
  }
  return fc.oneof(...options);
};

/** Applies a tamper; returns the stored events (in seq order) and the problems expected. */
function apply(events: AuditEvent[], t: Tamper) {
  const target = events[t.at]!;
  const seq = t.at + 1;
  switch (t.kind) {
    case "delete":
      return { stored: events.filter((_, i) => i !== t.at), expected: [["deleted", seq, null]] };
    case "alter": {
      const patch = changed(target, t.field);
      const stored = events.map((e, i) => (i === t.at ? { ...e, ...patch } : e));
      // Erased events keep no salt: their personal fields are checkable no more (by design).
      const undetectable =
        target.erasedAt !== null && ["actorId", "impersonatorId", "targetId"].includes(t.field);
      return {
        stored,
        expected: undetectable ? [] : [["altered", seq, patch.id ?? target.id]],
      };
    }
    case "insert": {
      const forged = seal(events[t.at - 1], STREAM, { id: v7(T0 + t.id, t.id) });
      return { stored: bySeq([...events, forged]), expected: [["inserted", seq, forged.id]] };
    }
    case "swap": {
      const other = events[t.with]!;
      const stored = bySeq(
        events.map((e, i) =>
          i === t.at ? { ...e, seq: other.seq } : i === t.with ? { ...e, seq: target.seq } : e,
        ),
      );
      return {
        stored,
        expected: [
          ["reordered", seq, other.id],
          ["reordered", t.with + 1, target.id],
        ],
      };
    }
    case "move": {
      if (t.to === seq) return { stored: events, expected: [] };
      const stored = bySeq(events.map((e, i) => (i === t.at ? { ...e, seq: t.to } : e)));
      return { stored, expected: [["reordered", t.to, target.id]] };
    }
  }
}

describe("verifyChain (property)", () => {
  it("a random chain verifies", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb, async (events) => {
        expect((await verifyChain(events, { stream: STREAM })).ok).toBe(true);
      }),
    );
  });

  it("any single deletion, alteration, insertion, swap or move is reported at its position", async () => {
    await fc.assert(
      fc.asyncProperty(
        chainArb.chain((events) => fc.tuple(fc.constant(events), tamperArb(events.length))),
        async ([events, tamper]) => {
          const { stored, expected } = apply(events, tamper);
          const head = { seq: events.length, hash: events.at(-1)!.hash };
          const result = await verifyChain(stored, { stream: STREAM, head });
          expect(result.problems.map((p) => [p.kind, p.seq, p.id])).toEqual(expected);
          expect(result.ok).toBe(expected.length === 0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
