/**
 * Express, Connect and `node:http` binding for `@gatehouse/webhooks`:
 * {@link webhookHandler} mounts a webhook receiver on a POST route, reading
 * the exact body the signature covers.
 *
 * @packageDocumentation
 */
export {
  type WebhookHandlerOptions,
  type WebhookHandlerTarget,
  webhookHandler,
} from "./express/webhook-handler.js";
