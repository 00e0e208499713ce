// The walk-through of the README against the real app on a SQLite file: Clerk webhooks land
// in the mirror (a redelivery is a duplicate), and an endpoint registered on a local receiver
// gets a signed delivery that verifies.
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryKeyValueStore } from "@gatehouse/core/store";
import { errorHandler } from "@gatehouse/express";
import {
  type ClerkEventType,
  clerkSampleEvent,
  createWebhookReceiver,
  generateWebhookSecret,
  parseWebhookSecret,
  signatureHeader,
  type UnknownWebhookEvent,
} from "@gatehouse/webhooks";
import { webhookHandler } from "@gatehouse/webhooks/express";
import express, { type RequestHandler } from "express";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { openStore } from "../src/store.js";
import { createWebhooks } from "../src/webhooks.js";

const CLERK_SECRET = generateWebhookSecret();
const dir = mkdtempSync(join(tmpdir(), "gh-webhooks-app-"));
const store = await openStore(join(dir, "webhooks-app.sqlite"));
const webhooks = createWebhooks({
  store,
  clerkSecret: CLERK_SECRET,
  senderSecret: "test-secret-test-secret-test-secret-0123",
  allowedHosts: ["127.0.0.1"],
});
const app = createApp({ store, webhooks, nodeEnv: "test" });

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** POSTs `event` to the Clerk route, signed as Clerk (Svix) signs. */
function deliver(event: object, id: string, secret = CLERK_SECRET) {
  const body = JSON.stringify(event);
  const ts = Math.floor(Date.now() / 1000);
  return request(app)
    .post("/webhooks/clerk")
    .set({
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(ts),
      "svix-signature": signatureHeader([parseWebhookSecret(secret)], id, ts, body),
    })
    .send(body);
}

const sample = (type: ClerkEventType) => clerkSampleEvent(type);

describe("examples/webhooks-app: Clerk webhooks in", () => {
  it("mirrors users, organizations and memberships; a redelivery is a duplicate", async () => {
    for (const type of [
      "user.created",
      "organization.created",
      "organizationMembership.created",
    ] as const) {
      const res = await deliver(sample(type), `msg_${type}`).expect(200);
      expect(res.body).toEqual({ outcome: "processed" });
    }
    const user = sample("user.created").data;
    const org = sample("organization.created").data;
    const users = await request(app).get("/users").expect(200);
    expect(users.body).toEqual({
      users: [
        {
          id: user.id,
          email: "ada@example.com",
          name: "Ada Lovelace",
          memberships: [{ orgId: org.id, role: "org:admin" }],
        },
      ],
    });

    // Svix retries with the same id: nothing runs twice.
    const again = await deliver(sample("user.created"), "msg_user.created").expect(200);
    expect(again.body).toEqual({ outcome: "duplicate" });

    // A later update wins; a deletion removes the user from the mirror.
    const later = sample("user.created").timestamp + 60_000;
    const updated = clerkSampleEvent("user.updated", {
      timestamp: later,
      data: { first_name: "Augusta Ada", updated_at: later },
    });
    await deliver(updated, "msg_update").expect(200);
    const renamed = await request(app).get("/users").expect(200);
    expect(renamed.body.users[0].name).toBe("Augusta Ada Lovelace");
    const deleted = clerkSampleEvent("user.deleted", { timestamp: later + 1 });
    await deliver(deleted, "msg_delete").expect(200);
    expect((await request(app).get("/users").expect(200)).body).toEqual({ users: [] });
  });

  it("refuses a delivery signed with another secret, before any handler runs", async () => {
    const forged = clerkSampleEvent("user.created", { data: { id: "user_forged" } });
    const res = await deliver(forged, "msg_forged", generateWebhookSecret()).expect(400);
    expect(res.body.code).toBe("webhook_signature_invalid");
    expect(JSON.stringify((await request(app).get("/users")).body)).not.toContain("user_forged");
  });
});

/** A receiver of our webhooks on 127.0.0.1, as an endpoint's owner would run it. */
async function localReceiver() {
  let handler: RequestHandler = (_req, res) => {
    res.status(503).end();
  };
  const received: { event: UnknownWebhookEvent; id: string }[] = [];
  const server: Server = express()
    .post("/hooks", (req, res, next) => handler(req, res, next))
    .use(errorHandler())
    .listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    /** Starts verifying with the endpoint's secret. */
    use(secret: string) {
      const receiver = createWebhookReceiver({ secrets: secret, kv: createMemoryKeyValueStore() });
      receiver.onUnknown((event, ctx) => {
        received.push({ event, id: ctx.id });
      });
      handler = webhookHandler(receiver);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("examples/webhooks-app: our webhooks out", () => {
  it("delivers an event to a registered endpoint, signed, and logs the attempt", async () => {
    const endpointOwner = await localReceiver();
    try {
      const created = await request(app)
        .post("/endpoints")
        .send({ url: endpointOwner.url, eventTypes: ["demo.*"] })
        .expect(201);
      expect(created.body.secret).toMatch(/^whsec_/);
      endpointOwner.use(created.body.secret);

      const sent = await request(app)
        .post("/demo/events")
        .send({ data: { order: 42 } })
        .expect(202);
      expect(await webhooks.sender.worker().runOnce()).toBe(1);

      expect(endpointOwner.received).toEqual([
        {
          id: sent.body.message.id,
          event: { type: "demo.ping", timestamp: expect.any(String), data: { order: 42 } },
        },
      ]);
      const log = await request(app).get("/deliveries").expect(200);
      expect(log.body.deliveries).toMatchObject([
        {
          messageId: sent.body.message.id,
          endpointId: created.body.endpoint.id,
          status: "succeeded",
          attempts: [{ statusCode: 200, errorKind: null, response: '{"outcome":"processed"}' }],
        },
      ]);
    } finally {
      await endpointOwner.close();
    }
  });

  it("refuses an endpoint on a private address (SSRF), and hides the demo routes in production", async () => {
    const res = await request(app)
      .post("/endpoints")
      .send({ url: "http://169.254.169.254/latest/meta-data" })
      .expect(400);
    expect(res.body.code).toBe("webhook_url_forbidden");
    const prod = createApp({ store, webhooks, nodeEnv: "production" });
    await request(prod).post("/endpoints").send({ url: "https://example.com/" }).expect(404);
    await request(prod).get("/users").expect(404);
  });
});
