/**
 * Endpoints: where webhooks go. Created, listed, changed, enabled and
 * disabled by their owner; each has a `whsec_` secret we generate, sealed at
 * rest, revealed on request, and rotated with an overlap during which both
 * secrets sign.
 *
 * @packageDocumentation
 */
import { parseInput } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import type { Page } from "@gatehouse/core/store";
import { z } from "zod";
import { generateWebhookSecret } from "../secrets.js";
import { type EndpointRecord, newId, type SenderContext, toEndpoint } from "./context.js";
import { withDeadline } from "./deadline.js";
import { disableEndpoint, killOpenDeliveries } from "./endpoint-state.js";
import { parseEndpointUrl } from "./endpoint-url.js";
import { EVENT_FILTER } from "./event-types.js";
import { webhookEndpointModel } from "./models.js";
import { resolveTarget } from "./ssrf.js";
import type { WebhookEndpoint } from "./types.js";

/** Input of `endpoints.create()`. */
export interface CreateWebhookEndpointInput {
  /** `http(s)://…`, no credentials; must not point at a private address (see `allowedHosts`). */
  readonly url: string;
  /**
   * Whose endpoint it is (a customer, an organization): it receives only
   * messages sent with this `tenantId`. @default null (the app's own: messages sent without a tenant)
   */
  readonly tenantId?: string | null;
  /** Event types to deliver: exact names or `prefix.*`. @default null (every type) */
  readonly eventTypes?: readonly string[] | null;
  readonly description?: string | null;
  /** @default true */
  readonly enabled?: boolean;
}

/** Input of `endpoints.update()`: the fields to change. */
export interface UpdateWebhookEndpointInput {
  readonly url?: string;
  readonly eventTypes?: readonly string[] | null;
  readonly description?: string | null;
}

/** Options of `endpoints.list()`. */
export interface ListWebhookEndpointsOptions {
  /** Only enabled (or only disabled) endpoints. @default both */
  readonly enabled?: boolean;
  /** Only this tenant's endpoints (`null`: the app's own). @default every tenant */
  readonly tenantId?: string | null;
  /** @default 50 (at most 1000) */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** Options of `endpoints.rotateSecret()`. */
export interface RotateWebhookSecretOptions {
  /** Seconds the old secret keeps signing next to the new one (0: stop at once). @default 86400 */
  readonly overlapSec?: number;
}

/** Managing endpoints. Missing ids reject with `not_found` (except `get` and `delete`). */
export interface WebhookEndpoints {
  /** Creates an endpoint with a new secret; `webhook_url_forbidden` for a refused URL. */
  create(input: CreateWebhookEndpointInput): Promise<WebhookEndpoint>;
  get(id: string): Promise<WebhookEndpoint | undefined>;
  /** Endpoints, oldest first. */
  list(options?: ListWebhookEndpointsOptions): Promise<Page<WebhookEndpoint>>;
  update(id: string, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint>;
  /** Deletes an endpoint; its undelivered deliveries die (`endpoint_deleted`). Resolves whether it existed. */
  delete(id: string): Promise<boolean>;
  /** Enables an endpoint and forgets its run of failures. */
  enable(id: string): Promise<WebhookEndpoint>;
  /** Disables an endpoint (`disabledReason: "manual"`); its undelivered deliveries die. */
  disable(id: string): Promise<WebhookEndpoint>;
  /** The endpoint's current `whsec_` secret, for its owner to configure the receiver. */
  secret(id: string): Promise<string>;
  /** Replaces the secret; the old one keeps signing (a second `v1,` signature) for `overlapSec`. */
  rotateSecret(id: string, options?: RotateWebhookSecretOptions): Promise<string>;
}

const eventTypes = z
  .array(z.string().regex(EVENT_FILTER, "must be an event type or a prefix ending in .*"))
  .min(1, "must list at least one type (null: every type)")
  .max(256)
  .nullable();
const description = z.string().max(1000).nullable();

const tenantId = z.string().min(1).max(255).nullable();

const createSchema = z.strictObject({
  url: z.string(),
  tenantId: tenantId.optional(),
  eventTypes: eventTypes.optional(),
  description: description.optional(),
  enabled: z.boolean().optional(),
});
const updateSchema = z.strictObject({
  url: z.string().optional(),
  eventTypes: eventTypes.optional(),
  description: description.optional(),
});
const listSchema = z.strictObject({
  enabled: z.boolean().optional(),
  tenantId: tenantId.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2048).optional(),
});
const rotateSchema = z.strictObject({
  overlapSec: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .optional(),
});

const notFound = () => new GatehouseError("not_found", "No webhook endpoint has this id.");

/** Parses an endpoint URL and refuses one that resolves to a forbidden address. */
async function checkUrl(ctx: SenderContext, input: string): Promise<string> {
  const url = parseEndpointUrl(input);
  const target = await withDeadline(
    resolveTarget(url, ctx.policy, ctx.lookup),
    ctx.options.timeoutMs,
    () => undefined,
  );
  // A host that does not resolve now is accepted: every delivery checks again.
  if (target !== undefined && !target.ok && target.kind === "ssrf") {
    throw new GatehouseError(
      "webhook_url_forbidden",
      "The endpoint URL points at a private, loopback, link-local or otherwise reserved address.",
    );
  }
  return url.href;
}

const unique = (types: readonly string[] | null | undefined) =>
  types === undefined ? undefined : types === null ? null : [...new Set(types)];

/** The endpoints API of a sender. */
export function createEndpoints(ctx: SenderContext): WebhookEndpoints {
  const { records, box } = ctx;

  async function load(id: string): Promise<EndpointRecord> {
    const endpoint =
      typeof id === "string" ? await records.findOne(webhookEndpointModel, { id }) : undefined;
    if (endpoint === undefined) throw notFound();
    return endpoint;
  }

  return Object.freeze({
    async create(input: CreateWebhookEndpointInput) {
      const i = parseInput("endpoints.create()", createSchema, input);
      const url = await checkUrl(ctx, i.url);
      const id = newId("ep");
      const enabled = i.enabled ?? true;
      const created = await records.create(webhookEndpointModel, {
        id,
        url,
        tenantId: i.tenantId ?? null,
        description: i.description ?? null,
        eventTypes: unique(i.eventTypes) ?? null,
        enabled,
        disabledReason: enabled ? null : "manual",
        disabledAt: enabled ? null : ctx.clock.now(),
        secret: box.seal(generateWebhookSecret(), id),
      });
      return toEndpoint(created);
    },

    async get(id: string) {
      if (typeof id !== "string") return undefined;
      const endpoint = await records.findOne(webhookEndpointModel, { id });
      return endpoint === undefined ? undefined : toEndpoint(endpoint);
    },

    async list(options: ListWebhookEndpointsOptions = {}) {
      const o = parseInput("endpoints.list()", listSchema, options);
      const page = await records.findMany(webhookEndpointModel, {
        where: {
          ...(o.enabled === undefined ? {} : { enabled: o.enabled }),
          ...(o.tenantId === undefined ? {} : { tenantId: o.tenantId }),
        },
        limit: o.limit,
        cursor: o.cursor,
      });
      return { items: page.items.map(toEndpoint), nextCursor: page.nextCursor };
    },

    async update(id: string, input: UpdateWebhookEndpointInput) {
      const i = parseInput("endpoints.update()", updateSchema, input);
      const endpoint = await load(id);
      const url = i.url === undefined ? undefined : await checkUrl(ctx, i.url);
      const updated = await records.update(
        webhookEndpointModel,
        endpoint.id,
        {
          url,
          eventTypes: unique(i.eventTypes),
          description: i.description,
          // A new URL starts with a clean record.
          ...(url !== undefined && url !== endpoint.url ? { failingSince: null } : {}),
        },
        { expectedVersion: endpoint.version },
      );
      return toEndpoint(updated);
    },

    async delete(id: string) {
      if (typeof id !== "string") return false;
      const existed = await records.delete(webhookEndpointModel, id);
      if (existed) await killOpenDeliveries(ctx, id, "endpoint_deleted");
      return existed;
    },

    async enable(id: string) {
      const endpoint = await load(id);
      if (endpoint.enabled) return toEndpoint(endpoint);
      const updated = await records.update(webhookEndpointModel, endpoint.id, {
        enabled: true,
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
      });
      return toEndpoint(updated);
    },

    async disable(id: string) {
      await load(id);
      const endpoint = await disableEndpoint(ctx, id, "manual");
      if (endpoint === undefined) throw notFound();
      return toEndpoint(endpoint);
    },

    async secret(id: string) {
      const endpoint = await load(id);
      return box.open(endpoint.secret, endpoint.id);
    },

    async rotateSecret(id: string, options: RotateWebhookSecretOptions = {}) {
      const o = parseInput("endpoints.rotateSecret()", rotateSchema, options);
      const overlapSec = o.overlapSec ?? 86_400;
      const endpoint = await load(id);
      const secret = generateWebhookSecret();
      // Re-sealed, so an old app secret can leave the `secret` list after a rotation.
      const previous = box.open(endpoint.secret, endpoint.id);
      await records.update(
        webhookEndpointModel,
        endpoint.id,
        {
          secret: box.seal(secret, endpoint.id),
          previousSecret: overlapSec > 0 ? box.seal(previous, endpoint.id) : null,
          previousSecretExpiresAt: overlapSec > 0 ? ctx.clock.now() + overlapSec * 1000 : null,
        },
        { expectedVersion: endpoint.version },
      );
      return secret;
    },
  });
}
