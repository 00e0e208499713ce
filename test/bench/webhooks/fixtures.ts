/**
 * The message both webhook benches use: a Clerk `organization.created` event as Clerk sends
 * it, padded to exactly 1 KiB of JSON with public metadata, signed Svix-style with a 32-byte
 * `whsec_` secret.
 */
import { createHmac } from "node:crypto";
import { clerkSampleEvent } from "@gatehouse/webhooks";

export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwQ1t0bFh7kV4=";
export const KEY = Buffer.from(SECRET.slice("whsec_".length), "base64");
export const MESSAGE_BYTES = 1024;

/** The event as a payload object of exactly {@link MESSAGE_BYTES} bytes of JSON. */
export function benchPayload(): Record<string, unknown> {
  const withNote = (note: string) =>
    clerkSampleEvent("organization.created", { data: { public_metadata: { note } } });
  const base = Buffer.byteLength(JSON.stringify(withNote("")));
  return withNote("x".repeat(MESSAGE_BYTES - base)) as unknown as Record<string, unknown>;
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<ts>.<body>">`, computed directly with node:crypto. */
export function sign(id: string, ts: number, body: string | Buffer): string {
  const mac = createHmac("sha256", KEY).update(`${id}.${ts}.`).update(body).digest("base64");
  return `v1,${mac}`;
}

/** Svix headers (as Node gives them: lower-case) for `body`, signed now. */
export function signedHeaders(body: Buffer, id = "msg_2pXkQ7tLmN3vB8wZ4yQ1r0bFh7k") {
  const ts = Math.floor(Date.now() / 1000);
  return { "svix-id": id, "svix-timestamp": String(ts), "svix-signature": sign(id, ts, body) };
}
