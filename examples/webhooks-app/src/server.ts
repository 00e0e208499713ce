import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createEventBus } from "@gatehouse/core";
import { generateWebhookSecret } from "@gatehouse/webhooks";
import { createApp } from "./app.js";
import { DATA_DIR, loadSecret } from "./secrets.js";
import { openStore } from "./store.js";
import { createWebhooks } from "./webhooks.js";

const port = Number(process.env.PORT ?? 3002);
const nodeEnv = process.env.NODE_ENV;
// The embedded default: one SQLite file next to the example (git-ignored).
const dataFile = process.env.WEBHOOKS_APP_SQLITE ?? join(DATA_DIR, "webhooks-app.sqlite");
mkdirSync(dirname(dataFile), { recursive: true });

// The Clerk endpoint's signing secret (Clerk dashboard → Webhooks → Signing Secret); without
// it a development one is generated once into .data/clerk-webhook-secret (git-ignored).
const clerk = loadSecret("CLERK_WEBHOOK_SECRET", "clerk-webhook-secret", generateWebhookSecret);
// Seals the secrets of our own endpoints at rest.
const sealing = loadSecret("GATEHOUSE_SECRET", "dev-secret");

const events = createEventBus();
events.on("webhook.received", ({ data }) => {
  console.log(`received ${data.type} ${data.messageId}: ${data.outcome}`);
});
events.on("webhook.failed", ({ data }) => {
  console.log(`refused ${data.type ?? "a webhook"}: ${data.status} ${data.code}`);
});
events.on("webhook.delivery_dead", ({ data }) => {
  console.log(`gave up delivering ${data.messageId} to ${data.endpointId}`);
});

const store = await openStore(dataFile);
const webhooks = createWebhooks({
  store,
  clerkSecret: clerk.value,
  senderSecret: sealing.value,
  allowedHosts: nodeEnv === "production" ? [] : ["127.0.0.1"],
  events,
});
const app = createApp({ store, webhooks, nodeEnv });

// Delivers the outbox in the background (several processes may each run one).
const worker = webhooks.sender.worker({ concurrency: 4, pollIntervalMs: 250 });
worker.start();

const server = app.listen(port, "127.0.0.1", () => {
  console.log(`webhooks-app listening on http://127.0.0.1:${port} (data: ${dataFile})`);
  if (clerk.source === "generated") {
    console.log(
      `generated a development Clerk webhook secret into ${clerk.path}:\n  ${clerk.value}`,
    );
  } else if (clerk.source === "file") {
    console.log(`Clerk webhook secret: from ${clerk.path}`);
  }
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    worker
      .stop()
      .then(() => store.close())
      .finally(() => process.exit(0));
  });
}
