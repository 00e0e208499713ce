/**
 * Signed checkpoints: a stream's head, signed, so that deleting its last
 * events or rewriting the whole chain is caught.
 *
 * @packageDocumentation
 */
import { type Clock, systemClock } from "@gatehouse/core";
import { configError } from "@gatehouse/core/errors";
import type { RecordStore } from "@gatehouse/core/store";
import { auditCheckpointModel } from "./checkpoint-model.js";
import { ProblemList } from "./problems.js";
import type { VerifyOptions, VerifyResult } from "./result.js";
import {
  type CheckpointAlgorithm,
  type CheckpointKey,
  resolveKey,
  signBytes,
  signedBytes,
  verifyBytes,
} from "./sign.js";
import { streamHead } from "./stored.js";
import { verifyStream } from "./verify-stream.js";

/** A signed head of one stream. */
export interface AuditCheckpoint {
  readonly stream: string;
  /** The head's position; `0` for a stream without events. */
  readonly seq: number;
  /** The head's hash; `""` for a stream without events. */
  readonly hash: string;
  /** When it was signed, epoch ms. */
  readonly signedAt: number;
  readonly algorithm: CheckpointAlgorithm;
  /** base64url. */
  readonly signature: string;
}

/** Options of {@link checkpoint}. */
export interface CheckpointOptions {
  /** The source of `signedAt`. @default the system clock */
  readonly clock?: Clock;
}

function checkStream(where: string, stream: unknown): void {
  if (typeof stream !== "string" || stream === "") configError(where, "stream must be a name");
}

/**
 * Signs the head of `stream` (its highest `seq` and that event's hash) and
 * stores the checkpoint in `gh_audit_checkpoint`. The key decides the
 * algorithm: a secret (string or bytes of 32+ bytes, or a secret KeyObject)
 * signs with HMAC-SHA256, an Ed25519 private KeyObject with Ed25519 (then
 * verifiers need only the public key).
 *
 * Run it on a schedule (every hour, or every N events). Keep a copy of the
 * checkpoints outside the database too (your SIEM, a log line): whoever can
 * delete events can also delete checkpoint rows.
 *
 * @example
 * ```ts
 * const { privateKey } = generateKeyPairSync("ed25519");
 * const signed = await checkpoint(store.records, "api-1", privateKey);
 * logger.info({ checkpoint: signed }, "audit checkpoint");
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8032 Ed25519
 * @see https://www.rfc-editor.org/rfc/rfc2104 HMAC
 */
export async function checkpoint(
  records: RecordStore,
  stream: string,
  key: CheckpointKey,
  options: CheckpointOptions = {},
): Promise<AuditCheckpoint> {
  checkStream("checkpoint()", stream);
  const resolved = resolveKey("checkpoint()", key);
  if (resolved.algorithm === "ed25519" && resolved.key.type !== "private") {
    configError("checkpoint()", "signing needs the Ed25519 private key");
  }
  const head = await streamHead(records, stream);
  const fields = {
    stream,
    seq: head?.seq ?? 0,
    hash: head?.hash ?? "",
    signedAt: (options.clock ?? systemClock).now(),
    algorithm: resolved.algorithm,
  };
  const signature = signBytes("checkpoint()", resolved, signedBytes(resolved.algorithm, fields));
  const signed: AuditCheckpoint = { ...fields, signature };
  await records.create(auditCheckpointModel, signed);
  return signed;
}

/**
 * The stored checkpoint of `stream` with the highest `seq` (the latest), or `undefined`.
 *
 * @example
 * ```ts
 * const last = await latestCheckpoint(store.records, "api-1");
 * ```
 */
export async function latestCheckpoint(
  records: RecordStore,
  stream: string,
): Promise<AuditCheckpoint | undefined> {
  const page = await records.findMany(auditCheckpointModel, {
    where: { stream },
    orderBy: { field: "seq", direction: "desc" },
    limit: 1,
  });
  const row = page.items[0];
  if (row === undefined) return undefined;
  return {
    stream: row.stream,
    seq: row.seq,
    hash: row.hash,
    signedAt: row.signedAt,
    algorithm: row.algorithm as CheckpointAlgorithm,
    signature: row.signature,
  };
}

/**
 * Whether `signed` is a checkpoint signed under `key` (the HMAC secret, or
 * the Ed25519 public or private key). Throws `config_invalid` for an unusable key.
 *
 * @example
 * ```ts
 * if (!checkpointSignatureOk(fromSiem, publicKey)) throw new Error("forged checkpoint");
 * ```
 */
export function checkpointSignatureOk(signed: AuditCheckpoint, key: CheckpointKey): boolean {
  const resolved = resolveKey("verifyCheckpoint()", key);
  return verifyBytes(
    resolved,
    signed.algorithm,
    signedBytes(signed.algorithm, signed),
    signed.signature,
  );
}

/** Options of {@link verifyCheckpoint}. */
export interface VerifyCheckpointOptions extends VerifyOptions {
  /**
   * The checkpoint to verify against, e.g. one kept outside the database.
   * @default the latest stored checkpoint of the stream
   */
  readonly checkpoint?: AuditCheckpoint;
}

/** The result of {@link verifyCheckpoint}: a {@link VerifyResult} and the checkpoint used. */
export interface VerifyCheckpointResult extends VerifyResult {
  /** The checkpoint verified against; `null` when there is none. */
  readonly checkpoint: AuditCheckpoint | null;
}

/**
 * Verifies `stream` against its latest signed checkpoint (or the one given):
 * the signature must verify under `key`, the chain must verify, reach the
 * checkpoint's `seq` (else its tail was deleted) and have the signed hash
 * there (else the chain was rewritten). A missing checkpoint or a bad
 * signature is a problem too.
 *
 * @example
 * ```ts
 * const result = await verifyCheckpoint(store.records, "api-1", publicKey);
 * if (!result.ok) alert(result.problems);
 * ```
 */
export async function verifyCheckpoint(
  records: RecordStore,
  stream: string,
  key: CheckpointKey,
  options: VerifyCheckpointOptions = {},
): Promise<VerifyCheckpointResult> {
  checkStream("verifyCheckpoint()", stream);
  const { checkpoint: given, ...verifyOptions } = options;
  resolveKey("verifyCheckpoint()", key);
  const signed = given ?? (await latestCheckpoint(records, stream));
  const early = new ProblemList(() => stream, 10);
  let head: { seq: number; hash: string } | undefined;
  if (signed === undefined) {
    early.add("deleted", 0, null, "The stream has no checkpoint to verify against.");
  } else if (signed.stream !== stream) {
    early.add("inserted", signed.seq, null, `The checkpoint is of stream "${signed.stream}".`);
  } else if (!checkpointSignatureOk(signed, key)) {
    early.add(
      "altered",
      signed.seq,
      null,
      "The checkpoint's signature does not verify under this key: it was forged or altered.",
    );
  } else {
    head = { seq: signed.seq, hash: signed.hash };
  }
  const result = await verifyStream(records, stream, {
    ...verifyOptions,
    ...(head === undefined ? {} : { head }),
  });
  const problems = [...early.list, ...result.problems];
  return {
    ...result,
    ok: result.ok && early.size === 0,
    problems,
    checkpoint: signed ?? null,
  };
}
