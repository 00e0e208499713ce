/**
 * The {@link ApiKeyResolver} the core `apiKeys()` issuer calls: parse, look
 * up by lookup id, compare keyed hashes in constant time, check state.
 *
 * @internal
 */
import type { ApiKeyGrant, ApiKeyResolver } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { apiKeyModel } from "../models.js";
import type { ApiKeyContext } from "./context.js";
import { scopesOf } from "./info.js";
import { parseApiKey } from "./key-format.js";
import type { LastUsedWriter } from "./last-used.js";

// One message for malformed, unknown and foreign keys: no oracle for which it was.
function invalidKey(): GatehouseError {
  return new GatehouseError("api_key_invalid", "The API key is not valid.");
}

/** A resolver over the context's store; `lastUsed` records uses. */
export function createResolver(ctx: ApiKeyContext, lastUsed: LastUsedWriter): ApiKeyResolver {
  return Object.freeze({
    async resolve(key: string, now: number): Promise<ApiKeyGrant> {
      const parsed = parseApiKey(ctx.prefix, key);
      if (parsed === undefined) throw invalidKey();
      const record = await ctx.records.findOne(apiKeyModel, { lookupId: parsed.lookupId });
      // Every secret of the ring is tried, so the app secret can rotate; another
      // app's key (other secret, same database) never matches.
      if (record === undefined || !ctx.secrets.verifyMac("api-key", key, record.hash)) {
        throw invalidKey();
      }
      if (record.kind !== parsed.kind) throw invalidKey();
      if (record.revokedAt !== null) {
        throw new GatehouseError("api_key_revoked", "The API key was revoked.");
      }
      if (record.expiresAt !== null && record.expiresAt <= now) {
        throw new GatehouseError("api_key_expired", "The API key has expired.");
      }
      lastUsed.touch(record.id, now);
      return Object.freeze({
        id: record.id,
        subject: record.subject,
        orgId: record.orgId,
        scopes: scopesOf(record),
        kind: parsed.kind,
        expiresAt: record.expiresAt,
      });
    },
  });
}
