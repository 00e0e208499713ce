/** The tables of the webhooks bench. */
import { formatRate, formatRatio, printTable } from "../report.js";
import { opsPerSec } from "../sessions/harness.js";
import type { DeliveryRow } from "./deliver.js";
import type { VerifyResults } from "./verify.js";

type Log = (line?: string) => void;

const usPerOp = (ops: number | null) => (ops === null ? "—" : (1e6 / ops).toFixed(1));

/** Prints part 1: the three verify rows. */
export function printVerify(v: VerifyResults, log: Log): void {
  log(`\n1. inbound: verify one ${v.bytes}-byte message (a Buffer, svix-* headers)\n`);
  const ceiling = opsPerSec(v.rows.ceiling);
  const ours = opsPerSec(v.rows.ours);
  const rows = [
    ["ours: createWebhookVerifier().verify", v.rows.ours],
    ["svix: new Webhook(secret).verify", v.rows.svix],
    ["ceiling: createHmac + timingSafeEqual + JSON.parse", v.rows.ceiling],
  ] as const;
  printTable(
    ["verifier", "ops/s", "µs/op", "÷ ceiling", "ours ÷ row"],
    rows.map(([name, rate]) => {
      const ops = opsPerSec(rate);
      return [
        name,
        rate.failures > 0 ? `FAILED (${rate.failures} of ${rate.ops})` : formatRate(ops),
        usPerOp(ops),
        formatRatio(ops !== null && ceiling !== null ? ops / ceiling : null),
        formatRatio(ops !== null && ours !== null ? ours / ops : null),
      ];
    }),
  );
}

/** Rows of the same store and kind, rounds combined: total messages ÷ total seconds. */
function combine(rows: readonly DeliveryRow[], key: (r: DeliveryRow) => number | null) {
  let messages = 0;
  let seconds = 0;
  for (const r of rows) {
    const rate = key(r);
    if (rate === null) return null;
    messages += r.messages;
    seconds += r.messages / rate;
  }
  return messages / seconds;
}

/** Prints part 2: deliveries/s per store next to the raw ceiling. */
export function printDeliveries(rows: readonly DeliveryRow[], log: Log): void {
  const first = rows[0];
  if (first === undefined) return;
  log(
    `\n2. outbound: ${first.messages} messages per round → one worker, ${first.concurrency} in flight, until all succeeded (receiver verifies each, in another process)\n`,
  );
  const groups = [...new Set(rows.map((r) => `${r.store}|${r.what}`))];
  const of = (g: string) => rows.filter((r) => `${r.store}|${r.what}` === g);
  const raw = combine(
    rows.filter((r) => r.what === "raw POST"),
    (r) => r.deliveriesPerSec,
  );
  printTable(
    ["store", "what", "rounds", "sends/s", "deliveries/s", "µs/delivery", "÷ raw POST"],
    groups.map((g) => {
      const list = of(g);
      const failed = list.find((r) => r.error !== undefined);
      const rate = combine(list, (r) => r.deliveriesPerSec);
      const sends = list[0]!.what === "sender" ? combine(list, (r) => r.sendsPerSec) : null;
      return [
        list[0]!.store,
        list[0]!.what === "raw POST" ? "raw POST (ceiling)" : "send() + worker",
        String(list.length),
        list[0]!.what === "raw POST" ? "" : formatRate(sends),
        failed ? `FAILED: ${failed.error}` : formatRate(rate),
        usPerOp(rate),
        formatRatio(rate !== null && raw !== null ? rate / raw : null),
      ];
    }),
  );
  log(
    `\n"raw POST": presigned messages POSTed with node:http, one connection each (as the sender's attempts): the receiver's ceiling, not a peer.`,
  );
}
