/**
 * The RecordStore model of audit events (`gh_audit_event`). Register it with
 * your adapter (`createSqliteStore(file, { models: auditModels })`) and migrate.
 *
 * @packageDocumentation
 */
import { defineModel } from "@gatehouse/core/store";
import { auditCheckpointModel } from "./verify/checkpoint-model.js";

/** One audit event; its `id` is the event's UUIDv7. */
export const auditEventModel = defineModel({
  name: "gh_audit_event",
  fields: {
    time: { type: "timestamp", required: true, indexed: true },
    stream: { type: "string", required: true, indexed: true },
    seq: { type: "integer", required: true },
    /** `${stream}#${seq}`: unique, so a chain position is never taken twice. */
    position: { type: "string", required: true, unique: true },
    action: { type: "string", required: true, indexed: true },
    actionNamespace: { type: "string", required: true, indexed: true },
    outcome: { type: "string", required: true, indexed: true },
    actorType: { type: "string", required: true },
    actorId: { type: "string", indexed: true },
    impersonatorId: { type: "string" },
    targetType: { type: "string" },
    targetId: { type: "string", indexed: true },
    orgId: { type: "string", indexed: true },
    ip: { type: "string" },
    userAgent: { type: "string" },
    requestId: { type: "string" },
    metadata: { type: "json" },
    piiSalt: { type: "string" },
    piiDigest: { type: "string", required: true },
    prevHash: { type: "string", required: true },
    hash: { type: "string", required: true },
    erasedAt: { type: "timestamp" },
  },
});

/** Every model of `@gatehouse/audit`: events and signed checkpoints. */
export const auditModels = Object.freeze([auditEventModel, auditCheckpointModel]);
