import { StoreUnavailableError } from "@gatehouse/core/errors";
import { createMemoryKeyValueStore, createMemoryRecordStore } from "@gatehouse/core/store";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { rejection, signed } from "../inbound/test-helpers.js";
import { clerkSampleEvent } from "./fixtures.js";
import { clerkMembershipModel, clerkOrganizationModel, clerkUserModel } from "./models.js";
import { syncClerk } from "./sync.js";
import { BACKENDS, freshId, syncSetup, useBackend } from "./test-helpers.js";

const T = 1_767_225_600_000;
const sampleOrg = clerkSampleEvent("organization.created").data;

describe.each(BACKENDS)("syncClerk on $name", ({ open }) => {
  const clock = createFakeClock();
  const opened = useBackend(open, clock);
  const setup = () => syncSetup(opened.current, clock);

  it("mirrors a created user with the fields apps read and the raw data", async () => {
    const { send, records } = setup();
    const id = freshId("user");
    expect(
      (await send("user.created", { timestamp: T, data: { id, last_name: null } })).outcome,
    ).toBe("processed");
    const row = await records.findOne(clerkUserModel, { clerkId: id });
    expect(row).toMatchObject({
      clerkId: id,
      primaryEmail: "ada@example.com",
      emailAddresses: ["ada@example.com"],
      firstName: "Ada",
      lastName: null,
      username: "ada",
      imageUrl: "https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9",
      externalId: null,
      publicMetadata: { plan: "pro" },
      unsafeMetadata: { theme: "dark" },
      eventTimestamp: T,
      clerkCreatedAt: T - 600_000,
      deletedAt: null,
      version: 1,
    });
    expect(row?.data).toMatchObject({ id, object: "user", private_metadata: {} });
  });

  it("applies newer updates, drops older ones, and soft-deletes keeping the last data", async () => {
    const { send, records } = setup();
    const id = freshId("user");
    await send("user.created", { timestamp: T, data: { id } });
    await send("user.updated", { timestamp: T + 2, data: { id, first_name: "Newest" } });
    expect(
      (await send("user.updated", { timestamp: T + 1, data: { id, first_name: "Old" } })).outcome,
    ).toBe("processed");
    let row = await records.findOne(clerkUserModel, { clerkId: id });
    expect(row).toMatchObject({ firstName: "Newest", eventTimestamp: T + 2, version: 2 });

    await send("user.deleted", { timestamp: T + 3, data: { id } });
    row = await records.findOne(clerkUserModel, { clerkId: id });
    expect(row).toMatchObject({ firstName: "Newest", deletedAt: T + 3, eventTimestamp: T + 3 });
    expect(row?.data).toMatchObject({ first_name: "Newest" });

    // Late deliveries from before the deletion change nothing.
    await send("user.created", { timestamp: T, data: { id, first_name: "Late" } });
    await send("user.updated", { timestamp: T + 2, data: { id, first_name: "Late" } });
    expect(await records.findOne(clerkUserModel, { clerkId: id })).toEqual(row);
  });

  it("leaves a tombstone when the deletion arrives first, which a late created respects", async () => {
    const { send, records } = setup();
    const id = freshId("user");
    await send("user.deleted", { timestamp: T + 5, data: { id } });
    await send("user.created", { timestamp: T, data: { id } });
    await send("user.updated", { timestamp: T + 4, data: { id } });
    const row = await records.findOne(clerkUserModel, { clerkId: id });
    expect(row).toMatchObject({ deletedAt: T + 5, eventTimestamp: T + 5, primaryEmail: null });
  });

  it("breaks same-millisecond ties: a deletion wins, then the later updated_at", async () => {
    const { send, records } = setup();
    const id = freshId("user");
    await send("user.created", { timestamp: T, data: { id, updated_at: T } });
    await send("user.updated", {
      timestamp: T,
      data: { id, first_name: "Later", updated_at: T + 9 },
    });
    await send("user.updated", {
      timestamp: T,
      data: { id, first_name: "Earlier", updated_at: T + 1 },
    });
    expect(await records.findOne(clerkUserModel, { clerkId: id })).toMatchObject({
      firstName: "Later",
    });
    await send("user.deleted", { timestamp: T, data: { id } });
    await send("user.updated", { timestamp: T, data: { id, updated_at: T + 99 } });
    expect(await records.findOne(clerkUserModel, { clerkId: id })).toMatchObject({ deletedAt: T });
  });

  it("resolves concurrent deliveries for one user to the newest event", async () => {
    const { send, records } = setup();
    const id = freshId("user");
    const results = await Promise.all([
      send("user.updated", { timestamp: T + 3, data: { id, first_name: "Three" } }),
      send("user.created", { timestamp: T + 1, data: { id, first_name: "One" } }),
      send("user.updated", { timestamp: T + 4, data: { id, first_name: "Four" } }),
      send("user.updated", { timestamp: T + 2, data: { id, first_name: "Two" } }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(Array(4).fill("processed"));
    const page = await records.findMany(clerkUserModel, { where: { clerkId: id } });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ firstName: "Four", eventTimestamp: T + 4 });
  });

  it("resolves a create race on the unique clerkId", async () => {
    const { send, records } = setup();
    const id = freshId("user");
    await Promise.all([
      send("user.created", { timestamp: T + 1, data: { id, first_name: "A" } }),
      send("user.created", { timestamp: T + 2, data: { id, first_name: "B" } }),
      send("user.deleted", { timestamp: T + 3, data: { id } }),
    ]);
    const page = await records.findMany(clerkUserModel, { where: { clerkId: id } });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ deletedAt: T + 3 });
  });

  it("runs a message once on this backend's KeyValueStore: redelivered, or raced", async () => {
    const { receiver, records } = setup();
    const id = freshId("user");
    let runs = 0;
    receiver.on("user.created", () => {
      runs++;
    });
    const request = signed(clerkSampleEvent("user.created", { data: { id } }), clock, {
      id: freshId("msg"),
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => receiver.handle(request)));
    // One runs; each other delivery either met it running (409) or finished (duplicate).
    const processed = results.filter(
      (r) => r.status === "fulfilled" && r.value.outcome === "processed",
    );
    expect(processed).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "webhook_in_progress" });
      else expect(["processed", "duplicate"]).toContain(r.value.outcome);
    }
    expect(await receiver.handle(request)).toEqual({ status: 200, outcome: "duplicate" });
    expect(runs).toBe(1);
    expect((await records.findOne(clerkUserModel, { clerkId: id }))?.version).toBe(1);
  });

  it("mirrors organizations", async () => {
    const { send, records } = setup();
    const id = freshId("org");
    await send("organization.created", { timestamp: T, data: { id, slug: `acme-${id}` } });
    await send("organization.updated", {
      timestamp: T + 1,
      data: { id, name: "Acme Corp", slug: null, members_count: 7, public_metadata: null },
    });
    expect(await records.findOne(clerkOrganizationModel, { clerkId: id })).toMatchObject({
      name: "Acme Corp",
      slug: null,
      membersCount: 7,
      createdBy: sampleOrg.created_by,
      publicMetadata: null,
      deletedAt: null,
    });
    await send("organization.deleted", { timestamp: T + 2, data: { id } });
    await send("organization.updated", { timestamp: T + 1, data: { id, name: "Late" } });
    expect(await records.findOne(clerkOrganizationModel, { clerkId: id })).toMatchObject({
      name: "Acme Corp",
      deletedAt: T + 2,
    });
  });

  it("mirrors memberships, with the org and user ids, role and permissions", async () => {
    const { send, records } = setup();
    const id = freshId("orgmem");
    const orgId = freshId("org");
    const userId = freshId("user");
    const organization = { ...sampleOrg, id: orgId };
    const publicUserData = {
      ...clerkSampleEvent("organizationMembership.created").data.public_user_data,
      user_id: userId,
    };
    const data = { id, organization, public_user_data: publicUserData };
    await send("organizationMembership.created", { timestamp: T, data });
    await send("organizationMembership.updated", {
      timestamp: T + 1,
      data: { ...data, role: "org:member", permissions: ["org:sys_memberships:read"] },
    });
    expect(await records.findOne(clerkMembershipModel, { clerkId: id })).toMatchObject({
      orgId,
      userId,
      role: "org:member",
      permissions: ["org:sys_memberships:read"],
      deletedAt: null,
    });
    await send("organizationMembership.deleted", {
      timestamp: T + 2,
      data: { ...data, role: "org:member" },
    });
    const page = await records.findMany(clerkMembershipModel, {
      where: { orgId, deletedAt: null },
    });
    expect(page.items).toHaveLength(0);
    expect(await records.findOne(clerkMembershipModel, { userId })).toMatchObject({
      deletedAt: T + 2,
      role: "org:member",
    });
  });
});

describe("syncClerk", () => {
  it("ignores a deletion without an id", async () => {
    const { send, records } = syncSetup();
    // undefined is dropped by JSON.stringify: the delivered stub has no id.
    expect((await send("user.deleted", { data: { id: undefined } })).outcome).toBe("processed");
    expect((await records.findMany(clerkUserModel)).items).toHaveLength(0);
  });

  it("answers 503 and releases the message when the record store is down", async () => {
    const clock = createFakeClock();
    const real = createMemoryRecordStore({ clock });
    let down = true;
    const records = {
      ...real,
      findOne: ((...args: Parameters<typeof real.findOne>) =>
        down
          ? Promise.reject(new StoreUnavailableError("down"))
          : real.findOne(...args)) as typeof real.findOne,
    };
    const { receiver } = syncSetup({ records, kv: createMemoryKeyValueStore({ clock }) }, clock);
    const request = signed(clerkSampleEvent("user.created"), clock);
    expect(await rejection(receiver.handle(request))).toMatchObject({
      code: "webhook_handler_failed",
      status: 503,
    });
    down = false;
    expect((await receiver.handle(request)).outcome).toBe("processed");
  });

  it("refuses a missing record store, and removes its handlers on request", async () => {
    const { receiver, records } = syncSetup();
    expect(() => syncClerk(receiver, { records: {} as never })).toThrow(/records/);
    const off = syncClerk(receiver, { records });
    off();
  });
});
