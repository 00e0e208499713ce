import { describe, expect, it } from "vitest";
import { clerkEventSchemas, clerkEventTypes } from "./events.js";
import { clerkSampleEvent, clerkSampleEventTypes } from "./fixtures.js";

const parse = (type: keyof typeof clerkEventSchemas, payload: unknown) =>
  clerkEventSchemas[type].safeParse(payload);

/** A user.created as older Clerk instances and the dashboard's "send example" shape it. */
const legacyUserCreated = {
  data: {
    birthday: "",
    created_at: 1654012591514,
    email_addresses: [
      {
        email_address: "someone@example.org",
        id: "idn_legacy",
        linked_to: [],
        object: "email_address",
        verification: { status: "verified", strategy: "ticket" },
      },
    ],
    external_accounts: [],
    external_id: "567772",
    first_name: "Some",
    gender: "",
    id: "user_legacy",
    image_url: "https://img.clerk.com/xxxxxx",
    last_name: "One",
    last_sign_in_at: 1654012591514,
    object: "user",
    password_enabled: true,
    phone_numbers: [],
    primary_email_address_id: "idn_legacy",
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    private_metadata: {},
    profile_image_url: "https://www.gravatar.com/avatar?d=mp",
    public_metadata: {},
    two_factor_enabled: false,
    unsafe_metadata: {},
    updated_at: 1654012591835,
    username: null,
    web3_wallets: [],
  },
  event_attributes: { http_request: { client_ip: "0.0.0.0", user_agent: "Mozilla/5.0" } },
  object: "event",
  timestamp: 1654012591835,
  type: "user.created",
};

describe("Clerk event schemas", () => {
  it("has a sample for every type, and every sample passes its schema unchanged", () => {
    expect([...clerkSampleEventTypes].sort()).toEqual([...clerkEventTypes].sort());
    expect(clerkEventTypes).toHaveLength(28);
    for (const type of clerkEventTypes) {
      const sample = clerkSampleEvent(type);
      const result = parse(type, JSON.parse(JSON.stringify(sample)));
      expect(result.error, type).toBeUndefined();
      expect(result.data, type).toEqual(sample);
      expect(sample.type).toBe(type);
    }
  });

  it("accepts the older, smaller payloads Clerk's examples show", () => {
    const result = parse("user.created", legacyUserCreated);
    expect(result.success).toBe(true);
    expect(result.data?.data).toMatchObject({ gender: "", profile_image_url: expect.any(String) });
    const membership = clerkSampleEvent("organizationMembership.created");
    const { permissions: _p, role_name: _r, ...lean } = membership.data;
    const { members_count: _m, admin_delete_enabled: _a, ...leanOrg } = lean.organization;
    expect(
      parse("organizationMembership.created", {
        ...membership,
        data: { ...lean, organization: { ...leanOrg, logo_url: null } },
      }).success,
    ).toBe(true);
  });

  it("keeps fields it does not know, at every level", () => {
    const sample = clerkSampleEvent("user.updated");
    const email = sample.data.email_addresses[0]!;
    const payload = {
      ...sample,
      future_envelope: 1,
      data: {
        ...sample.data,
        future_field: { a: [1] },
        email_addresses: [{ ...email, reserved: true }],
      },
    };
    const out = clerkEventSchemas["user.updated"].parse(payload);
    expect(out).toMatchObject({ future_envelope: 1, data: { future_field: { a: [1] } } });
    expect(out.data.email_addresses[0]).toMatchObject({ reserved: true });
  });

  it("defaults absent metadata to {}", () => {
    const sample = clerkSampleEvent("user.created");
    const { public_metadata: _a, private_metadata: _b, unsafe_metadata: _c, ...data } = sample.data;
    const out = parse("user.created", { ...sample, data }).data!;
    expect(out.data).toMatchObject({
      public_metadata: {},
      private_metadata: {},
      unsafe_metadata: {},
    });
  });

  it("refuses payloads missing what handlers rely on", () => {
    const user = clerkSampleEvent("user.created");
    const membership = clerkSampleEvent("organizationMembership.updated");
    const cases: Array<[keyof typeof clerkEventSchemas, unknown]> = [
      ["user.created", { ...user, data: { ...user.data, id: undefined } }],
      ["user.created", { ...user, data: { ...user.data, id: "" } }],
      ["user.created", { ...user, data: { ...user.data, object: "organization" } }],
      ["user.created", { ...user, data: { ...user.data, email_addresses: null } }],
      ["user.created", { ...user, type: "user.updated" }],
      ["user.created", { ...user, object: undefined }],
      ["user.created", { ...user, timestamp: 1.5 }],
      ["user.created", { ...user, timestamp: -1 }],
      ["user.created", { ...user, data: undefined }],
      ["user.created", { ...user, data: { ...user.data, public_metadata: [] } }],
      [
        "organizationMembership.updated",
        { ...membership, data: { ...membership.data, organization: undefined } },
      ],
      [
        "organizationMembership.updated",
        { ...membership, data: { ...membership.data, public_user_data: {} } },
      ],
      // Clerk sends the whole membership on deletion: a bare stub is not one.
      [
        "organizationMembership.deleted",
        {
          ...membership,
          type: "organizationMembership.deleted",
          data: { object: "organization_membership", id: "orgmem_1", deleted: true },
        },
      ],
      [
        "user.deleted",
        { ...clerkSampleEvent("user.deleted"), data: { id: "user_1", deleted: true } },
      ],
    ];
    for (const [type, payload] of cases) {
      expect(
        parse(type, JSON.parse(JSON.stringify(payload))).success,
        JSON.stringify(payload).slice(0, 80),
      ).toBe(false);
    }
  });

  it("takes deleted-object stubs, and for roles and permissions the whole object too", () => {
    const stub = (object: string) => ({ object, id: `${object}_1`, deleted: true });
    expect(
      parse("user.deleted", {
        ...clerkSampleEvent("user.deleted"),
        data: { ...stub("user"), external_id: "ext-1" },
      }).data?.data,
    ).toMatchObject({ external_id: "ext-1" });
    expect(
      parse("organization.deleted", {
        ...clerkSampleEvent("organization.deleted"),
        data: { ...stub("organization"), slug: "acme" },
      }).success,
    ).toBe(true);
    const role = clerkSampleEvent("role.created").data;
    const permission = clerkSampleEvent("permission.created").data;
    expect(
      parse("role.deleted", { ...clerkSampleEvent("role.deleted"), data: role }).data?.data,
    ).toEqual(role);
    expect(parse("role.deleted", clerkSampleEvent("role.deleted")).data?.data).toEqual(
      clerkSampleEvent("role.deleted").data,
    );
    expect(
      parse("permission.deleted", { ...clerkSampleEvent("permission.deleted"), data: permission })
        .success,
    ).toBe(true);
    expect(
      parse("permission.deleted", {
        ...clerkSampleEvent("permission.deleted"),
        data: { object: "permission" },
      }).success,
    ).toBe(false);
  });
});

describe("clerkSampleEvent", () => {
  it("replaces envelope fields and merges data fields", () => {
    const event = clerkSampleEvent("user.updated", {
      timestamp: 42,
      instance_id: "ins_x",
      data: { first_name: "Grace", id: "user_grace" },
    });
    expect(event).toMatchObject({
      type: "user.updated",
      object: "event",
      timestamp: 42,
      instance_id: "ins_x",
      data: { first_name: "Grace", id: "user_grace", last_name: "Lovelace" },
    });
  });

  it("returns a fresh object every time", () => {
    const a = clerkSampleEvent("organizationMembership.created");
    a.data.organization.name = "changed";
    a.data.permissions?.push("org:x");
    const b = clerkSampleEvent("organizationMembership.created");
    expect(b.data.organization.name).toBe("Acme Inc");
    expect(b.data.permissions).not.toContain("org:x");
  });

  it("refuses a type it has no sample for", () => {
    expect(() => clerkSampleEvent("user.create" as never)).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
    expect(() => clerkSampleEvent("constructor" as never)).toThrow(/no sample/);
  });
});
