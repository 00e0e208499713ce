/**
 * Internal: one attempt of a claimed delivery — sign, check the address,
 * POST, log, then succeed, schedule a retry (exponential schedule with
 * jitter), or give up (dead letter); 410 Gone disables the endpoint, and a
 * long enough run of failures does too.
 *
 * @packageDocumentation
 */
import { isGatehouseError } from "@gatehouse/core/errors";
import { logAttempt } from "./attempt-log.js";
import type { DeliveryRecord, EndpointRecord, SenderContext } from "./context.js";
import { withDeadline } from "./deadline.js";
import {
  disableEndpoint,
  markDead,
  recordEndpointFailure,
  recordEndpointSuccess,
} from "./endpoint-state.js";
import { type PostResult, post } from "./http-post.js";
import { webhookDeliveryModel, webhookEndpointModel, webhookMessageModel } from "./models.js";
import { attemptHeaders } from "./signing.js";
import { resolveTarget } from "./ssrf.js";

/** Resolves, checks and POSTs, all within `timeoutMs`. */
async function attempt(
  ctx: SenderContext,
  endpoint: EndpointRecord,
  headers: Record<string, string>,
  body: string,
): Promise<PostResult> {
  const { timeoutMs } = ctx.options;
  const started = performance.now();
  const url = new URL(endpoint.url);
  const target = await withDeadline(resolveTarget(url, ctx.policy, ctx.lookup), timeoutMs, () => ({
    ok: false as const,
    kind: "timeout" as const,
    reason: "dns: no answer in time",
  }));
  if (!target.ok) {
    return { statusCode: null, errorKind: target.kind, excerpt: null, error: target.reason };
  }
  const remaining = Math.max(1, Math.round(timeoutMs - (performance.now() - started)));
  return post({ url, ...target, headers, body, timeoutMs: remaining });
}

/** Settles the delivery after a failed attempt: retry later, or dead after the last one. */
async function settleFailure(
  ctx: SenderContext,
  claimed: DeliveryRecord,
  result: PostResult,
): Promise<void> {
  const now = ctx.clock.now();
  const outcome = { lastStatusCode: result.statusCode, lastError: result.errorKind };
  const { schedule, jitter } = ctx.options;
  if (result.statusCode === 410) {
    await markDead(ctx, claimed, "http_status", outcome);
    await disableEndpoint(ctx, claimed.endpointId, "gone");
    return;
  }
  if (claimed.attempts >= schedule.length) {
    await markDead(ctx, claimed, result.errorKind ?? "http_status", outcome);
    await recordEndpointFailure(ctx, claimed.endpointId);
    return;
  }
  const delayMs = schedule[claimed.attempts]! * 1000;
  const jittered = Math.min(delayMs, Math.max(0, Math.floor(jitter(delayMs))));
  const scheduled = await ctx.records
    .update(
      webhookDeliveryModel,
      claimed.id,
      { ...outcome, status: "failed", nextAttemptAt: now + jittered },
      { expectedVersion: claimed.version },
    )
    .catch((error: unknown) => {
      // The lease expired and another worker reclaimed it: its outcome counts.
      if (isGatehouseError(error) && error.code === "store_conflict") return undefined;
      throw error;
    });
  if (scheduled === undefined) return;
  // After the retry is scheduled: if the endpoint is (or was meanwhile) disabled,
  // the retry dies whichever worker disabled it.
  if (!(await recordEndpointFailure(ctx, claimed.endpointId))) {
    await markDead(ctx, scheduled, "endpoint_disabled");
  }
}

/** Makes the attempt `claimed` was leased for, and records its outcome. */
export async function deliver(ctx: SenderContext, claimed: DeliveryRecord): Promise<void> {
  const [message, endpoint] = await Promise.all([
    ctx.records.findOne(webhookMessageModel, { id: claimed.messageId }),
    ctx.records.findOne(webhookEndpointModel, { id: claimed.endpointId }),
  ]);
  if (message === undefined) return void (await markDead(ctx, claimed, "message_deleted"));
  if (endpoint === undefined) return void (await markDead(ctx, claimed, "endpoint_deleted"));
  if (!endpoint.enabled) return void (await markDead(ctx, claimed, "endpoint_disabled"));

  const at = ctx.clock.now();
  const headers = attemptHeaders(ctx, endpoint, message.id, message.payload, at);
  const started = performance.now();
  const result = await attempt(ctx, endpoint, headers, message.payload);
  const latencyMs = Math.round(performance.now() - started);
  await logAttempt(ctx, claimed, result, at, latencyMs);

  if (result.errorKind !== null) return settleFailure(ctx, claimed, result);
  const succeeded = await ctx.records
    .update(
      webhookDeliveryModel,
      claimed.id,
      {
        status: "succeeded",
        succeededAt: ctx.clock.now(),
        lastStatusCode: result.statusCode,
        lastError: null,
      },
      { expectedVersion: claimed.version },
    )
    .catch((error: unknown) => {
      if (isGatehouseError(error) && error.code === "store_conflict") return undefined;
      throw error;
    });
  if (succeeded !== undefined) await recordEndpointSuccess(ctx, claimed.endpointId);
}
