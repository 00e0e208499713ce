/**
 * The whole benchmark: in-process verify throughput, then HTTP throughput, then the sessions
 * bench (`sessions/run.ts`), the webhooks bench (`webhooks/run.ts`) and the audit bench
 * (`audit/run.ts`), then a summary of every target with PASS/MISS. Always exits 0: it is a
 * measurement, not a test.
 *
 *   pnpm bench                       # BENCH_DURATION=5 pnpm bench for a quicker run
 *
 * Results: test/bench/results/latest.json (git-ignored).
 */
import { type AuditResults, runAuditBench } from "./audit/run.js";
import { createFixture } from "./fixtures.js";
import { type HttpResults, runHttpBench } from "./http.js";
import {
  formatRatio,
  machineInfo,
  printTable,
  printTargets,
  type Target,
  writeResults,
} from "./report.js";
import { runSessionsBench, type SessionsResults } from "./sessions/run.js";
import { runVerifyBench, type VerifyResults } from "./verify.js";
import { runWebhooksBench, type WebhooksResults } from "./webhooks/run.js";

function errorMessage(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

const startedAt = new Date().toISOString();
const fixture = await createFixture();
console.log(
  `gatehouse bench — node ${process.version}, ${machineInfo().cores} cores, token ${fixture.token.length} bytes (RS256, RSA-2048, Clerk v2 claims)\n`,
);

let verify: VerifyResults | undefined;
let http: HttpResults | undefined;
let sessions: SessionsResults | undefined;
let webhooks: WebhooksResults | undefined;
let audit: AuditResults | undefined;
const errors: string[] = [];
try {
  verify = await runVerifyBench({ fixture });
} catch (err) {
  errors.push(`verify: ${errorMessage(err)}`);
  console.error(`verify bench failed: ${errorMessage(err)}`);
}
console.log();
try {
  http = await runHttpBench({ fixture });
} catch (err) {
  errors.push(`http: ${errorMessage(err)}`);
  console.error(`http bench failed: ${errorMessage(err)}`);
}
console.log();
try {
  sessions = await runSessionsBench();
  errors.push(...sessions.errors.map((e) => `sessions: ${e}`));
} catch (err) {
  errors.push(`sessions: ${errorMessage(err)}`);
  console.error(`sessions bench failed: ${errorMessage(err)}`);
}
console.log();
try {
  webhooks = await runWebhooksBench();
  errors.push(...webhooks.errors.map((e) => `webhooks: ${e}`));
} catch (err) {
  errors.push(`webhooks: ${errorMessage(err)}`);
  console.error(`webhooks bench failed: ${errorMessage(err)}`);
}
console.log();
try {
  audit = await runAuditBench();
  errors.push(...audit.errors.map((e) => `audit: ${e}`));
} catch (err) {
  errors.push(`audit: ${errorMessage(err)}`);
  console.error(`audit bench failed: ${errorMessage(err)}`);
}

const targets: Target[] = [
  ...(verify?.targets ?? []),
  ...(http?.targets ?? []),
  ...(sessions?.targets ?? []),
  ...(webhooks?.targets ?? []),
  ...(audit?.targets ?? []),
];

console.log("\n=== summary: targets ===\n");
printTargets(targets);

// The cold HTTP target has a hard ceiling: a request cannot cost less than bare Express plus
// one RSA verification. Print it, so a MISS can be told apart from "physically impossible".
const rawUs = verify?.rows.find((r) => r.id === "raw")?.meanUs ?? null;
const bare = http?.rows.find((r) => r.id === "express-bare");
const expressUs = bare?.serverCpuUsPerReq ?? (bare?.reqPerSec ? 1_000_000 / bare.reqPerSec : null);
const coldCeiling = rawUs !== null && expressUs != null ? expressUs / (expressUs + rawUs) : null;
if (coldCeiling !== null) {
  console.log(
    `\nceiling of "gatehouse express cold / bare express" on this machine: ${formatRatio(coldCeiling)} ` +
      `(bare express ${expressUs!.toFixed(0)} µs of server CPU per request + raw RSA verify ${rawUs!.toFixed(1)} µs)`,
  );
}

console.log("\n=== summary: gatehouse vs peers (same run) ===\n");
const peerRows: string[][] = [];
const vOps = (id: string) => verify?.rows.find((r) => r.id === id)?.opsPerSec ?? null;
for (const id of ["jose", "clerk-backend", "jsonwebtoken-keyobject", "jsonwebtoken-pem"]) {
  const row = verify?.rows.find((r) => r.id === id);
  const cold = vOps("gatehouse-cold");
  const peer = vOps(id);
  peerRows.push([
    `verify: gatehouse cold ÷ ${row?.name ?? id}`,
    formatRatio(cold !== null && peer !== null ? cold / peer : null),
  ]);
}
const hRps = (id: string) => http?.rows.find((r) => r.id === id)?.reqPerSec ?? null;
for (const id of [
  "clerk-express",
  "express-jwt-pem",
  "express-jwt-keyobject",
  "express-oauth2-jwt-bearer",
]) {
  const row = http?.rows.find((r) => r.id === id);
  const peer = hRps(id);
  const base = hRps("express-bare");
  const warm = hRps("gatehouse-express-warm");
  const cold = hRps("gatehouse-express-cold");
  const name = row?.name ?? id;
  peerRows.push([
    `http: ${name} ÷ bare express`,
    formatRatio(peer !== null && base !== null ? peer / base : null),
  ]);
  peerRows.push([
    `http: gatehouse warm ÷ ${name}`,
    formatRatio(peer !== null && warm !== null ? warm / peer : null),
  ]);
  peerRows.push([
    `http: gatehouse cold ÷ ${name}`,
    formatRatio(peer !== null && cold !== null ? cold / peer : null),
  ]);
}
printTable(["comparison", "ratio"], peerRows);

const path = writeResults("latest.json", {
  startedAt,
  finishedAt: new Date().toISOString(),
  machine: machineInfo(),
  token: { bytes: fixture.token.length, alg: "RS256", rsaBits: 2048 },
  targets,
  coldCeiling,
  verify: verify ?? null,
  http: http ?? null,
  sessions: sessions ?? null,
  webhooks: webhooks ?? null,
  audit: audit ?? null,
  errors,
});
console.log(`\nwrote ${path}`);
// A measurement, not a test: a MISS or a failed row does not fail the command.
process.exitCode = 0;
