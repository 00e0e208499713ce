/**
 * The webhooks benchmark (`@gatehouse/webhooks`), one run, peers measured in the same run:
 *
 * 1. inbound: verifications/s of a 1 KiB message — ours, svix's `Webhook.verify`, and the
 *    ceiling written directly on node:crypto;
 * 2. outbound: deliveries/s through the outbox to a local receiver (another process), on
 *    SQLite (file, WAL) and a throwaway PostgreSQL, next to raw POSTs/s to that receiver.
 *
 *   pnpm bench:webhooks            # about 20 s on 2 cores; part of `pnpm bench`
 *
 * Results: test/bench/results/webhooks.json (git-ignored).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresStore, createSqliteStore, type SqlStore } from "@gatehouse/store-sql";
import { webhookSenderModels } from "@gatehouse/webhooks";
import { startPostgres } from "../../../scripts/services.mjs";
import {
  envNumber,
  isMain,
  machineInfo,
  printTargets,
  type Target,
  target,
  writeResults,
} from "../report.js";
import { opsPerSec } from "../sessions/harness.js";
import {
  type DeliveryRow,
  type Receiver,
  rawPostRow,
  senderRow,
  startReceiver,
} from "./deliver.js";
import { printDeliveries, printVerify } from "./print.js";
import { runVerifyBench, type VerifyResults } from "./verify.js";

/** Everything {@link runWebhooksBench} measured. */
export interface WebhooksResults {
  readonly kind: "webhooks";
  readonly startedAt: string;
  readonly machine: Record<string, unknown>;
  readonly config: Record<string, number>;
  readonly verify: VerifyResults | null;
  readonly deliveries: readonly DeliveryRow[];
  readonly targets: readonly Target[];
  readonly errors: readonly string[];
}

const errorMessage = (err: unknown) =>
  err instanceof Error ? (err.stack ?? err.message) : String(err);

/** Runs both parts; a failing part is reported and the other still runs. */
export async function runWebhooksBench(
  options: { quiet?: boolean } = {},
): Promise<WebhooksResults> {
  const log = options.quiet ? () => {} : (line = "") => console.log(line);
  const msPerRow = envNumber("BENCH_WEBHOOKS_TIME_MS", 3000);
  const messages = Math.round(envNumber("BENCH_WEBHOOKS_MESSAGES", 1000));
  const concurrency = Math.round(envNumber("BENCH_WEBHOOKS_CONCURRENCY", 16));
  const rounds = Math.round(envNumber("BENCH_WEBHOOKS_ROUNDS", 2));
  const startedAt = new Date().toISOString();
  const errors: string[] = [];
  const fail = (part: string, err: unknown) => {
    errors.push(`${part}: ${errorMessage(err)}`);
    console.error(`webhooks bench, ${part} failed: ${errorMessage(err)}`);
  };
  log(
    `webhooks: ${msPerRow} ms per verify row (3 interleaved rounds), ${messages} messages × ${rounds} rounds per delivery row, ${concurrency} in flight`,
  );

  // 1. Inbound verification.
  let verify: VerifyResults | null = null;
  try {
    verify = await runVerifyBench(msPerRow);
    if (!options.quiet) printVerify(verify, log);
  } catch (err) {
    fail("verify", err);
  }

  // 2. Outbound deliveries: the stores take turns with the raw ceiling, round by round.
  const deliveries: DeliveryRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), "gh-webhooks-bench-"));
  let receiver: Receiver | undefined;
  let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
  const stores = new Map<string, SqlStore>();
  try {
    receiver = await startReceiver();
    const sqlite = createSqliteStore(join(dir, "outbox.sqlite"), { models: webhookSenderModels });
    await sqlite.migrate();
    stores.set("sqlite", sqlite);
    try {
      postgres = await startPostgres();
      const pg = createPostgresStore(postgres.url, {
        models: webhookSenderModels,
        poolConfig: { max: concurrency },
      });
      await pg.migrate();
      stores.set("postgres", pg);
    } catch (err) {
      fail("postgres", err);
    }
    const per = { messages, concurrency };
    for (let round = 0; round < rounds; round++) {
      const order = [...stores.keys(), "raw"];
      if (round % 2 === 1) order.reverse();
      for (const what of order) {
        deliveries.push(
          what === "raw"
            ? await rawPostRow(receiver, per)
            : await senderRow(what, stores.get(what)!, receiver, per),
        );
      }
    }
    for (const row of deliveries)
      if (row.error) fail(`deliveries ${row.store} ${row.what}`, row.error);
    if (!options.quiet) printDeliveries(deliveries, log);
  } catch (err) {
    fail("deliveries", err);
  } finally {
    for (const store of stores.values()) await store.close().catch(() => {});
    await postgres?.cleanup();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const ops = (id: keyof VerifyResults["rows"]) => opsPerSec(verify?.rows[id]);
  const targets: Target[] = [
    target(
      "webhooks: verify ours / ceiling (createHmac + timingSafeEqual + JSON.parse)",
      ops("ours"),
      ops("ceiling"),
      0.7,
    ),
    target(
      "webhooks: verify ours / svix Webhook.verify (informational)",
      ops("ours"),
      ops("svix"),
      2,
    ),
  ];
  log();
  if (!options.quiet) printTargets(targets);

  return {
    kind: "webhooks",
    startedAt,
    machine: machineInfo(),
    config: { msPerRow, messages, concurrency, rounds, messageBytes: verify?.bytes ?? 0 },
    verify,
    deliveries,
    targets,
    errors,
  };
}

if (isMain(import.meta.url)) {
  const results = await runWebhooksBench();
  console.log(`\nwrote ${writeResults("webhooks.json", results)}`);
  // A measurement, not a test: a MISS or a failed part does not fail the command.
  process.exitCode = 0;
}
