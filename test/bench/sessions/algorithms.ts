/**
 * The access-token algorithm choice: raw `node:crypto` sign and verify of RS256 (RSA-2048),
 * ES256 (P-256) and EdDSA (Ed25519), one pre-imported `KeyObject` each, over the signing input
 * of a real access token of that algorithm. A token is signed once per refresh and verified
 * on every request, so the default should be the algorithm with the cheapest verify unless
 * its signing cost outweighs that over a token's lifetime: the break-even column says after
 * how many verifications per token RS256 costs less CPU than the other algorithm.
 */
import { generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { type Algorithm, jwsParams } from "./fixtures.js";
import { compareSync, opsPerSec, type SyncRow } from "./harness.js";

/** Raw sign and verify throughput of one algorithm. */
export interface AlgorithmRow {
  readonly alg: Algorithm;
  readonly key: string;
  readonly signOpsPerSec: number | null;
  readonly verifyOpsPerSec: number | null;
  readonly signingInputBytes: number;
  readonly signatureBytes: number;
  /** Length of the whole compact token. */
  readonly tokenBytes: number;
}

const KEYS: Record<
  Algorithm,
  { label: string; generate(): { privateKey: KeyObject; publicKey: KeyObject } }
> = {
  RS256: {
    label: "RSA-2048",
    generate: () => generateKeyPairSync("rsa", { modulusLength: 2048 }),
  },
  ES256: { label: "P-256", generate: () => generateKeyPairSync("ec", { namedCurve: "P-256" }) },
  EdDSA: { label: "Ed25519", generate: () => generateKeyPairSync("ed25519") },
};

/**
 * Measures sign and verify for each algorithm; `signingInputs` holds, per algorithm, the
 * `header.payload` of an access token `createSessions()` issued with it.
 */
export async function runAlgorithmBench(
  signingInputs: Readonly<Record<Algorithm, string>>,
  timing: { rounds: number; msPerRound: number; warmupMs: number },
): Promise<AlgorithmRow[]> {
  const rows: SyncRow[] = [];
  const shapes = new Map<Algorithm, { input: Buffer; signature: Buffer }>();
  for (const alg of Object.keys(KEYS) as Algorithm[]) {
    const { privateKey, publicKey } = KEYS[alg].generate();
    const signer = jwsParams(alg, privateKey);
    const verifier = jwsParams(alg, publicKey);
    const input = Buffer.from(signingInputs[alg], "latin1");
    const signature = sign(signer.digest, input, signer.key);
    if (!verify(verifier.digest, input, verifier.key, signature)) {
      throw new Error(`${alg}: a fresh signature does not verify`);
    }
    shapes.set(alg, { input, signature });
    rows.push({
      id: `${alg}:sign`,
      op: () => sign(signer.digest, input, signer.key).length > 0,
    });
    rows.push({
      id: `${alg}:verify`,
      op: () => verify(verifier.digest, input, verifier.key, signature),
    });
  }
  const rates = await compareSync(rows, timing);
  return (Object.keys(KEYS) as Algorithm[]).map((alg) => {
    const { input, signature } = shapes.get(alg)!;
    return {
      alg,
      key: KEYS[alg].label,
      signOpsPerSec: opsPerSec(rates.get(`${alg}:sign`)),
      verifyOpsPerSec: opsPerSec(rates.get(`${alg}:verify`)),
      signingInputBytes: input.length,
      signatureBytes: signature.length,
      tokenBytes: input.length + 1 + Math.ceil((signature.length * 4) / 3),
    };
  });
}

/**
 * Verifications per token above which RS256 costs less CPU per token (one sign plus n
 * verifies) than `other`; null when one side is missing, Infinity when RS256 never does.
 */
export function breakEvenVerifies(rs256: AlgorithmRow, other: AlgorithmRow): number | null {
  if (
    rs256.signOpsPerSec === null ||
    rs256.verifyOpsPerSec === null ||
    other.signOpsPerSec === null ||
    other.verifyOpsPerSec === null
  ) {
    return null;
  }
  const extraSignUs = 1e6 / rs256.signOpsPerSec - 1e6 / other.signOpsPerSec;
  const savedPerVerifyUs = 1e6 / other.verifyOpsPerSec - 1e6 / rs256.verifyOpsPerSec;
  if (extraSignUs <= 0) return 0;
  if (savedPerVerifyUs <= 0) return Number.POSITIVE_INFINITY;
  return extraSignUs / savedPerVerifyUs;
}
