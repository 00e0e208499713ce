import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { BACKENDS, useBackend } from "../verify/test-backends.js";
import { buildChain, T0, writeEvents } from "../verify/test-chain.js";
import type { AuditSearch } from "./filter.js";
import { type AuditQuery, createAuditQuery } from "./search.js";

const ACTIONS = ["session.created", "session.revoked", "signin.failed", "sessions.listed"];

/** 60 events over two organizations (and some without one), a minute apart. */
export const seedEvents = (): AuditEvent[] => [
  ...buildChain(40, "api-1", (seq) => ({
    time: T0 + seq * 60_000,
    orgId: seq % 10 === 0 ? null : seq % 2 ? "org_a" : "org_b",
    action: ACTIONS[seq % 4]!,
    outcome: seq % 5 === 0 ? "failure" : "success",
    actorId: `user_${seq % 3}`,
    targetId: `sess_${seq % 7}`,
  })),
  ...buildChain(20, "api-2", (seq) => ({
    time: T0 + seq * 60_000 + 30_000,
    orgId: "org_a",
    action: "session.created",
    actorId: "user_9",
  })),
];

async function all(query: AuditQuery, filter: AuditSearch): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await query.search({ ...filter, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

const newestFirst = (events: AuditEvent[]) =>
  [...events].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1));

describe.each(BACKENDS)("createAuditQuery on $name", ({ open }) => {
  const db = useBackend(open);
  const events = seedEvents();
  let query: AuditQuery;
  beforeAll(async () => {
    await writeEvents(db.records, events);
    query = createAuditQuery(db.records);
  });

  it("pages through everything, newest first, 50 by default", async () => {
    const first = await query.search();
    expect(first.items).toHaveLength(50);
    expect(first.items).toEqual(newestFirst(events).slice(0, 50));
    const paged = await all(query, { limit: 7 });
    expect(paged).toEqual(newestFirst(events));
  });

  it.each<[string, AuditSearch, (e: AuditEvent) => boolean]>([
    ["orgId", { orgId: "org_b" }, (e) => e.orgId === "org_b"],
    ["orgId null", { orgId: null }, (e) => e.orgId === null],
    ["actorId", { actorId: "user_1" }, (e) => e.actorId === "user_1"],
    ["action (exact)", { action: "session.revoked" }, (e) => e.action === "session.revoked"],
    ["actionPrefix", { actionPrefix: "session" }, (e) => e.action.startsWith("session.")],
    ["actionPrefix with dot", { actionPrefix: "session." }, (e) => e.action.startsWith("session.")],
    ["targetId", { targetId: "sess_3" }, (e) => e.targetId === "sess_3"],
    ["outcome", { outcome: "failure" }, (e) => e.outcome === "failure"],
    [
      "from (inclusive) and to (exclusive)",
      { from: T0 + 10 * 60_000, to: new Date(T0 + 20 * 60_000) },
      (e) => e.time >= T0 + 10 * 60_000 && e.time < T0 + 20 * 60_000,
    ],
    [
      "several at once",
      { orgId: "org_a", actionPrefix: "session", from: T0 + 5 * 60_000, outcome: "success" },
      (e) =>
        e.orgId === "org_a" &&
        e.actionNamespace === "session" &&
        e.time >= T0 + 5 * 60_000 &&
        e.outcome === "success",
    ],
  ])("filters by %s", async (_name, filter, keep) => {
    const expected = newestFirst(events.filter(keep));
    expect(expected.length).toBeGreaterThan(0);
    expect(await all(query, { ...filter, limit: 6 })).toEqual(expected);
  });

  it("a namespace prefix does not match a longer namespace (session vs sessions)", async () => {
    const found = await all(query, { actionPrefix: "session" });
    expect(found.some((e) => e.action === "sessions.listed")).toBe(false);
    expect((await all(query, { actionPrefix: "sessions" })).length).toBeGreaterThan(0);
  });

  describe("scoped to one organization", () => {
    const scope = { orgId: "org_a" };

    it("returns only that organization's events", async () => {
      const found = await all(query, { scope, limit: 9 });
      expect(found).toEqual(newestFirst(events.filter((e) => e.orgId === "org_a")));
      expect(await all(query, { scope, orgId: "org_a", actorId: "user_9" })).toHaveLength(20);
    });

    it.each([
      ["another orgId", { orgId: "org_b" }],
      ["a null orgId (events of no organization)", { orgId: null }],
      ["an orgId differing in case", { orgId: "ORG_A" }],
      ["an orgId with a trailing space", { orgId: "org_a " }],
    ])("refuses %s with forbidden, never widening", async (_name, filter) => {
      await expect(query.search({ scope, ...filter })).rejects.toMatchObject({
        code: "forbidden",
        status: 403,
      });
    });

    it("a cursor from another organization's search still returns only the scoped events", async () => {
      const other = await query.search({ orgId: "org_b", limit: 3 });
      const page = await query.search({ scope, cursor: other.nextCursor!, limit: 1000 });
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((e) => e.orgId === "org_a")).toBe(true);
    });

    it("a property: whatever the other filters, every result is of the scope (or the call is refused)", async () => {
      const filterArb = fc.record(
        {
          orgId: fc.option(fc.constantFrom("org_a", "org_b", "", "org_a\u0000"), { nil: null }),
          actorId: fc.constantFrom("user_0", "user_1", "user_9", ""),
          actionPrefix: fc.constantFrom("session", "session.", "signin", "a.b", ""),
          outcome: fc.constantFrom("success", "failure", "denied", "SUCCESS"),
          from: fc.integer({ min: T0 - 1, max: T0 + 3_000_000 }),
          limit: fc.integer({ min: 0, max: 1001 }),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(filterArb, async (filter) => {
          try {
            const page = await query.search({ ...(filter as AuditSearch), scope });
            expect(page.items.every((e) => e.orgId === "org_a")).toBe(true);
          } catch (err) {
            expect(["forbidden", "input_invalid"]).toContain((err as { code: string }).code);
          }
        }),
        { numRuns: 40 },
      );
    });
  });
});

describe("search filters are checked (hostile input)", () => {
  const query = createAuditQuery({
    findMany: async () => {
      throw new Error("the store must not be reached");
    },
  } as never);

  it.each<[string, unknown]>([
    ["an unknown key", { where: { orgId: "org_b" } }],
    ["an operator object as a value", { orgId: { $ne: "org_a" } }],
    ["an array as a value", { actorId: ["user_1", "user_2"] }],
    ["a __proto__ key", JSON.parse('{"__proto__": {"orgId": "org_b"}}')],
    ["a scope without orgId", { scope: {} }],
    ["an empty scope orgId", { scope: { orgId: "" } }],
    ["a null scope orgId", { scope: { orgId: null } }],
    ["extra keys in the scope", { scope: { orgId: "org_a", all: true } }],
    ["action and actionPrefix together", { action: "a.b", actionPrefix: "a" }],
    ["a nested actionPrefix", { actionPrefix: "admin.user" }],
    ["an empty actionPrefix", { actionPrefix: "." }],
    ["an unknown outcome", { outcome: "maybe" }],
    ["a limit of 0", { limit: 0 }],
    ["a limit above 1000", { limit: 1001 }],
    ["a fractional limit", { limit: 2.5 }],
    ["a time as a string", { from: "2024-01-01" }],
    ["an invalid Date", { to: new Date(Number.NaN) }],
    ["a cursor that is not base64url", { cursor: "a b" }],
    ["an oversized id", { actorId: "x".repeat(513) }],
    ["a filter that is not an object", "org_b"],
  ])("refuses %s with input_invalid", async (_name, filter) => {
    await expect(query.search(filter as AuditSearch)).rejects.toMatchObject({
      code: "input_invalid",
    });
  });

  it("a forged cursor is input_invalid, not a store error", async () => {
    const { createMemoryRecordStore } = await import("@gatehouse/core/store");
    const q = createAuditQuery(createMemoryRecordStore());
    const forged = Buffer.from(JSON.stringify(["time", "desc", "x", 1])).toString("base64url");
    await expect(q.search({ cursor: forged })).rejects.toMatchObject({ code: "input_invalid" });
    await expect(q.search({ cursor: "AAAA" })).rejects.toMatchObject({ code: "input_invalid" });
  });
});
