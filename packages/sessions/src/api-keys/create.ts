/**
 * Creating a key: validate, enforce the per-subject limit, store only a keyed
 * hash, and hand the key back once.
 *
 * @internal
 */
import { isGatehouseError } from "@gatehouse/core/errors";
import type { ApiKeyCreatedEvent } from "../events.js";
import { apiKeyModel } from "../models.js";
import type { CreateApiKeyInput, CreatedApiKey } from "../types.js";
import type { ApiKeyContext, ApiKeyRecord } from "./context.js";
import { toInfo } from "./info.js";
import { createInputSchema, inputInvalid, parseInput } from "./input.js";
import { type ApiKeyKind, displayPrefixOf, generateApiKey } from "./key-format.js";

/** What a new record holds besides the key material. */
export interface NewKeyFields {
  readonly kind: ApiKeyKind;
  readonly subject: string;
  readonly orgId: string | null;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number | null;
  readonly createdBy: string | null;
  readonly rotatedFrom: string | null;
}

/** Generates a key and stores its record (a lookup-id collision, however unlikely, draws again). */
export async function insertKey(
  ctx: ApiKeyContext,
  fields: NewKeyFields,
): Promise<{ key: string; record: ApiKeyRecord }> {
  for (let attempt = 1; ; attempt++) {
    const { key, lookupId } = generateApiKey(ctx.prefix, fields.kind);
    try {
      const record = await ctx.records.create(apiKeyModel, {
        ...fields,
        scopes: [...fields.scopes],
        lookupId,
        hash: ctx.secrets.mac("api-key", key),
        displayPrefix: displayPrefixOf(ctx.prefix, key),
      });
      return { key, record };
    } catch (err) {
      if (attempt < 3 && isGatehouseError(err) && err.code === "store_duplicate") continue;
      throw err;
    }
  }
}

/** How many active keys `subject` has, counting no further than `max`. */
async function countActive(
  ctx: ApiKeyContext,
  subject: string,
  now: number,
  max: number,
): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await ctx.records.findMany(apiKeyModel, {
      where: { subject, revokedAt: null },
      limit: 1000,
      cursor,
    });
    for (const r of page.items) if (r.expiresAt === null || r.expiresAt > now) count++;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && count < max);
  return count;
}

/** `apiKeys.create()`. */
export async function createKey(
  ctx: ApiKeyContext,
  input: CreateApiKeyInput,
): Promise<CreatedApiKey> {
  const i = parseInput("apiKeys.create()", createInputSchema, input);
  const now = ctx.clock.now();
  const max = ctx.maxKeysPerSubject;
  if ((await countActive(ctx, i.subject, now, max)) >= max) {
    throw inputInvalid(
      "apiKeys.create()",
      `"subject" already has the most active API keys allowed (${max}); revoke one first.`,
    );
  }
  const { key, record } = await insertKey(ctx, {
    kind: i.kind ?? "secret",
    subject: i.subject,
    orgId: i.orgId ?? null,
    name: i.name,
    scopes: i.scopes ?? [],
    expiresAt: i.expiresInSec === undefined ? null : now + i.expiresInSec * 1000,
    createdBy: i.createdBy ?? null,
    rotatedFrom: null,
  });
  const event: ApiKeyCreatedEvent = {
    keyId: record.id,
    subject: record.subject,
    kind: record.kind as ApiKeyKind,
    scopes: [...(i.scopes ?? [])],
    createdBy: record.createdBy,
  };
  ctx.events?.emit("api_key.created", event);
  return Object.freeze({ key, apiKey: toInfo(record, now) });
}
