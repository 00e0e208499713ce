/**
 * Child-process entry of the outbound bench's receiver: a node:http server on 127.0.0.1 that
 * verifies every delivery (`createWebhookVerifier`) and answers 204, or 400 to a delivery that
 * does not verify. The parent sends `{ type: "expect", n, secret }`; once `n` distinct message
 * ids have verified, the child answers `{ type: "done", verified, refused }` (after
 * `{ type: "expecting" }` at once). Started with
 * `{ type: "ready", port }`; exits when the parent disconnects or sends SIGTERM.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createWebhookVerifier, type WebhookVerifier } from "@gatehouse/webhooks";

let verifier: WebhookVerifier | undefined;
let expected = 0;
let refused = 0;
const seen = new Set<string>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    try {
      const { id } = verifier!.verify(Buffer.concat(chunks), req.headers);
      seen.add(id);
      res.statusCode = 204;
      res.end();
      if (seen.size === expected) {
        process.send?.({ type: "done", verified: seen.size, refused });
        expected = 0;
      }
    } catch {
      refused++;
      res.statusCode = 400;
      res.end();
    }
  });
});

process.on("message", (m: { type?: string; n?: number; secret?: string }) => {
  if (m.type !== "expect") return;
  verifier = createWebhookVerifier({ secrets: m.secret! });
  seen.clear();
  refused = 0;
  expected = m.n!;
  process.send?.({ type: "expecting" });
});
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));

server.listen(0, "127.0.0.1", () => {
  process.send?.({ type: "ready", port: (server.address() as AddressInfo).port });
});
