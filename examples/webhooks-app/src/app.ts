import { errorHandler } from "@gatehouse/express";
import type { SqlStore } from "@gatehouse/store-sql";
import { clerkMembershipModel, clerkUserModel, type WebhookSender } from "@gatehouse/webhooks";
import { webhookHandler } from "@gatehouse/webhooks/express";
import express, { type Express, type RequestHandler } from "express";
import type { createWebhooks } from "./webhooks.js";

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly store: SqlStore;
  readonly webhooks: ReturnType<typeof createWebhooks>;
  /** `NODE_ENV`: the unauthenticated demo routes answer 404 in `production`. */
  readonly nodeEnv?: string | undefined;
}

/** The type of `POST /demo/events` when none is given. */
export const DEMO_EVENT = "demo.ping";

/** Routes that stand in for your admin UI: no authentication, so off in production. */
function devOnly(nodeEnv: string | undefined): RequestHandler {
  return (_req, _res, next) => next(nodeEnv === "production" ? "route" : undefined);
}

/** Our endpoints, deliveries and their attempts, newest first. */
async function deliveryLog(sender: WebhookSender) {
  const { items } = await sender.deliveries({ limit: 20 });
  return Promise.all(
    items.map(async (d) => ({
      id: d.id,
      messageId: d.messageId,
      endpointId: d.endpointId,
      status: d.status,
      attempts: (await sender.attempts(d.id)).map((a) => ({
        statusCode: a.statusCode,
        errorKind: a.errorKind,
        latencyMs: a.latencyMs,
        response: a.responseExcerpt,
      })),
    })),
  );
}

/**
 * The example app: Clerk's webhooks in at `POST /webhooks/clerk` (mirrored,
 * shown at `GET /users`), and our own out: `POST /endpoints` registers a
 * receiver, `POST /demo/events` sends an event through the outbox, and
 * `GET /deliveries` shows what the worker did.
 */
export function createApp(o: AppOptions): Express {
  const { receiver, sender } = o.webhooks;
  const { records } = o.store;
  const dev = devOnly(o.nodeEnv);
  const app = express();
  app.disable("x-powered-by");

  // Before express.json(): the handler reads the exact bytes Clerk signed.
  app.post("/webhooks/clerk", webhookHandler(receiver));
  app.use(express.json());

  // The Clerk mirror: current users with their organization memberships.
  app.get("/users", dev, async (_req, res) => {
    const { items } = await records.findMany(clerkUserModel, {
      where: { deletedAt: null },
      orderBy: { field: "createdAt", direction: "asc" },
      limit: 100,
    });
    const users = await Promise.all(
      items.map(async (u) => {
        const memberships = await records.findMany(clerkMembershipModel, {
          where: { userId: u.clerkId, deletedAt: null },
        });
        return {
          id: u.clerkId,
          email: u.primaryEmail,
          name: [u.firstName, u.lastName].filter(Boolean).join(" ") || null,
          memberships: memberships.items.map((m) => ({ orgId: m.orgId, role: m.role })),
        };
      }),
    );
    res.json({ users });
  });

  // Register a receiver of our webhooks; its signing secret is shown to its owner.
  app.post("/endpoints", dev, async (req, res) => {
    const { url, eventTypes, description } = req.body ?? {};
    const endpoint = await sender.endpoints.create({ url, eventTypes, description });
    res.status(201).json({ endpoint, secret: await sender.endpoints.secret(endpoint.id) });
  });

  // Something happened in the app: store the message and its deliveries; the worker sends them.
  app.post("/demo/events", dev, async (req, res) => {
    const type = req.body?.type ?? DEMO_EVENT;
    const data = req.body?.data ?? { hello: "world" };
    const payload = { type, timestamp: new Date().toISOString(), data };
    const message = await sender.send(type, payload);
    res.status(202).json({ message: { id: message.id, type: message.type } });
  });

  app.get("/deliveries", dev, async (_req, res) => {
    res.json({ deliveries: await deliveryLog(sender) });
  });

  app.use(errorHandler());
  return app;
}
