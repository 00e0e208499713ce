/**
 * Verifying audit chains: the hash chain of each stream, and signed
 * checkpoints of their heads.
 *
 * @packageDocumentation
 */
export {
  type AuditCheckpoint,
  type CheckpointOptions,
  checkpoint,
  checkpointSignatureOk,
  latestCheckpoint,
  type VerifyCheckpointOptions,
  type VerifyCheckpointResult,
  verifyCheckpoint,
} from "./verify/checkpoint.js";
export { auditCheckpointModel } from "./verify/checkpoint-model.js";
export type {
  ChainProblem,
  ChainProblemKind,
  StreamSummary,
  VerifyOptions,
  VerifyResult,
} from "./verify/result.js";
export type { CheckpointAlgorithm, CheckpointKey } from "./verify/sign.js";
export { type VerifyChainOptions, verifyChain } from "./verify/verify-chain.js";
export { type VerifyStreamOptions, verifyAll, verifyStream } from "./verify/verify-stream.js";
