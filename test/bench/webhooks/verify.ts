/**
 * Inbound verifications/s of one 1 KiB message (a Buffer, as a raw-body route has it):
 * `createWebhookVerifier(...).verify` against svix's `new Webhook(secret).verify` and against
 * the ceiling: the same checks written directly on node:crypto (read the headers, check the
 * timestamp, one `createHmac`, base64-decode the header's signature, `timingSafeEqual`,
 * `JSON.parse`). Rows take turns over 3 rounds (`compareSync` of the sessions bench).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createWebhookVerifier } from "@gatehouse/webhooks";
import { Webhook } from "svix";
import { compareSync, type Rate } from "../sessions/harness.js";
import { benchPayload, KEY, SECRET, signedHeaders } from "./fixtures.js";

/** The three rows, by id. */
export interface VerifyResults {
  readonly bytes: number;
  readonly rows: Record<"ours" | "svix" | "ceiling", Rate>;
}

/** The ceiling: what any verifier of this scheme must do, and nothing else. */
function rawVerify(body: Buffer, headers: Record<string, string>): unknown {
  const id = headers["svix-id"]!;
  const ts = headers["svix-timestamp"]!;
  const header = headers["svix-signature"]!;
  const now = Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(ts)) > 300) return null;
  const expected = createHmac("sha256", KEY).update(`${id}.${ts}.`).update(body).digest();
  const given = Buffer.from(header.slice(3), "base64");
  if (given.length !== 32 || !timingSafeEqual(expected, given)) return null;
  return JSON.parse(body.toString("utf8"));
}

/** Measures the three rows for about `msPerRow` each. */
export async function runVerifyBench(msPerRow: number): Promise<VerifyResults> {
  const body = Buffer.from(JSON.stringify(benchPayload()));
  const headers = signedHeaders(body);
  const id = headers["svix-id"];
  const ours = createWebhookVerifier({ secrets: SECRET });
  const svix = new Webhook(SECRET);
  const isEvent = (p: unknown) => (p as { type?: unknown } | null)?.type === "organization.created";
  // Checked once before anything is timed.
  if (ours.verify(body, headers).id !== id) throw new Error("ours did not verify");
  if (!isEvent(svix.verify(body, headers))) throw new Error("svix did not verify");
  if (!isEvent(rawVerify(body, headers))) throw new Error("the ceiling did not verify");

  const rates = await compareSync(
    [
      { id: "ours", op: () => ours.verify(body, headers).id === id },
      { id: "svix", op: () => isEvent(svix.verify(body, headers)) },
      { id: "ceiling", op: () => isEvent(rawVerify(body, headers)) },
    ],
    { rounds: 3, msPerRound: msPerRow / 3, warmupMs: 300 },
  );
  return {
    bytes: body.length,
    rows: { ours: rates.get("ours")!, svix: rates.get("svix")!, ceiling: rates.get("ceiling")! },
  };
}
