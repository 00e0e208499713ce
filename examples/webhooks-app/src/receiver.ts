// A stand-in for a customer's server receiving our webhooks: verifies them with the secret
// `POST /endpoints` showed (ENDPOINT_SECRET) and prints each event. Port 3003 unless PORT.
import { createMemoryKeyValueStore } from "@gatehouse/core/store";
import { errorHandler } from "@gatehouse/express";
import { createWebhookReceiver } from "@gatehouse/webhooks";
import { webhookHandler } from "@gatehouse/webhooks/express";
import express from "express";

const secret = process.env.ENDPOINT_SECRET;
if (!secret) throw new Error("set ENDPOINT_SECRET to the secret POST /endpoints returned");
const port = Number(process.env.PORT ?? 3003);

// Not Clerk's events: every type is "unknown" to the default schemas, and arrives verified.
const receiver = createWebhookReceiver({ secrets: secret, kv: createMemoryKeyValueStore() });
receiver.onUnknown((event, { id }) => {
  console.log(`${id} ${event.type} ${JSON.stringify(event.data)}`);
});

const app = express();
app.post("/hooks", webhookHandler(receiver));
app.use(errorHandler());
app.listen(port, "127.0.0.1", () => {
  console.log(`receiver listening on http://127.0.0.1:${port}/hooks`);
});
