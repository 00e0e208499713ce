/**
 * The RecordStore model of signed checkpoints (`gh_audit_checkpoint`).
 *
 * @packageDocumentation
 */
import { defineModel } from "@gatehouse/core/store";

/**
 * A signed checkpoint: the head (`seq`, `hash`) of one stream at `signedAt`.
 * Part of `auditModels`: register those with your adapter and migrate.
 *
 * @example
 * ```ts
 * const store = createSqliteStore("app.db", { models: auditModels });
 * ```
 */
export const auditCheckpointModel = defineModel({
  name: "gh_audit_checkpoint",
  fields: {
    stream: { type: "string", required: true, indexed: true },
    seq: { type: "integer", required: true },
    hash: { type: "string", required: true },
    signedAt: { type: "timestamp", required: true },
    /** `hmac-sha256` or `ed25519`. */
    algorithm: { type: "string", required: true },
    /** base64url. */
    signature: { type: "string", required: true },
  },
});
