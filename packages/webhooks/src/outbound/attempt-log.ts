/**
 * Internal: the attempt log — one record per HTTP attempt, at most
 * `maxAttemptsLog` per delivery (numbered, so trimming deletes by id).
 *
 * @packageDocumentation
 */
import { isGatehouseError } from "@gatehouse/core/errors";
import { attemptId, type DeliveryRecord, type SenderContext } from "./context.js";
import type { PostResult } from "./http-post.js";
import { webhookAttemptModel } from "./models.js";

/** Writes the log record of the attempt `claimed` was leased for, and trims the oldest. */
export async function logAttempt(
  ctx: SenderContext,
  claimed: DeliveryRecord,
  result: PostResult,
  at: number,
  latencyMs: number,
): Promise<void> {
  const seq = claimed.totalAttempts;
  try {
    await ctx.records.create(webhookAttemptModel, {
      id: attemptId(claimed.id, seq),
      deliveryId: claimed.id,
      endpointId: claimed.endpointId,
      seq,
      statusCode: result.statusCode,
      errorKind: result.errorKind,
      errorDetail: result.error?.slice(0, 256) ?? null,
      latencyMs,
      responseExcerpt: result.excerpt,
      at,
    });
  } catch (error) {
    if (!(isGatehouseError(error) && error.code === "store_duplicate")) throw error;
  }
  const expired = seq - ctx.options.maxAttemptsLog;
  if (expired >= 1) await ctx.records.delete(webhookAttemptModel, attemptId(claimed.id, expired));
}
