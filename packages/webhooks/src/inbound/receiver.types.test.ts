import { createMemoryKeyValueStore } from "@gatehouse/core/store";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { ClerkWebhookEvent } from "../clerk/events.js";
import type { ClerkUser, ClerkUserDeleted } from "../clerk/user.js";
import { createWebhookReceiver } from "./receiver.js";
import { SECRET } from "./test-helpers.js";
import type { UnknownWebhookEvent, WebhookContext, WebhookReceiver } from "./types.js";

const kv = createMemoryKeyValueStore();

describe("receiver types", () => {
  it("types on() by event name from the Clerk schemas by default", () => {
    const receiver = createWebhookReceiver({ secrets: SECRET, kv });
    receiver.on("user.created", (event, ctx) => {
      expectTypeOf(event.type).toEqualTypeOf<"user.created">();
      expectTypeOf(event.data).toEqualTypeOf<ClerkUser>();
      expectTypeOf(event.data.primary_email_address_id).toEqualTypeOf<string | null>();
      expectTypeOf(event.data.email_addresses[0]!.email_address).toEqualTypeOf<string>();
      expectTypeOf(event.data.public_metadata).toEqualTypeOf<Record<string, unknown>>();
      expectTypeOf(event.timestamp).toEqualTypeOf<number>();
      expectTypeOf(event).toEqualTypeOf<ClerkWebhookEvent<"user.created">>();
      expectTypeOf(ctx).toEqualTypeOf<WebhookContext>();
    });
    receiver.on("user.deleted", (event) => {
      expectTypeOf(event.data).toEqualTypeOf<ClerkUserDeleted>();
      expectTypeOf(event.data.id).toEqualTypeOf<string | undefined>();
      expectTypeOf(event.data.deleted).toEqualTypeOf<boolean>();
    });
    receiver.on("organizationMembership.deleted", (event) => {
      expectTypeOf(event.data.public_user_data.user_id).toEqualTypeOf<string>();
    });
    receiver.onUnknown((event) => {
      expectTypeOf(event).toEqualTypeOf<UnknownWebhookEvent>();
      expectTypeOf(event.type).toEqualTypeOf<string>();
    });
    receiver.onAny((event) => {
      expectTypeOf(event).toEqualTypeOf<ClerkWebhookEvent | UnknownWebhookEvent>();
    });
    // @ts-expect-error: not an event type of the schema map
    expectTypeOf(receiver.on).toBeCallableWith("user.create", () => {});
    expectTypeOf(receiver.handle).returns.resolves.toEqualTypeOf<{
      readonly status: number;
      readonly outcome: "processed" | "duplicate" | "ignored";
    }>();
  });

  it("types on() from a custom schema map", () => {
    const schemas = {
      "invoice.paid": z.object({
        type: z.literal("invoice.paid"),
        data: z.object({ id: z.string(), amount: z.number() }),
      }),
    };
    const receiver = createWebhookReceiver({ secrets: SECRET, kv, schemas });
    expectTypeOf(receiver).toEqualTypeOf<WebhookReceiver<typeof schemas>>();
    receiver.on("invoice.paid", (event) => {
      expectTypeOf(event.data.amount).toEqualTypeOf<number>();
    });
    // @ts-expect-error: a Clerk type is not in this map
    expectTypeOf(receiver.on).toBeCallableWith("user.created", () => {});
  });
});
