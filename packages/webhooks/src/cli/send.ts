// `gatehouse-webhooks send`: builds a signed webhook request and POSTs it. Internal.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { clerkSampleEvent, clerkSampleEventTypes } from "../clerk/fixtures.js";
import { parseWebhookSecret } from "../secrets.js";
import { signatureHeader } from "../signature.js";

/** Header naming: `svix-*` (Clerk, Svix) or `webhook-*` (Standard Webhooks). */
export type HeaderStyle = "svix" | "standard";

/** What `send` needs, parsed from the command line. */
export interface SendInput {
  readonly url: string;
  readonly secret: string;
  readonly event?: string | undefined;
  readonly file?: string | undefined;
  readonly id?: string | undefined;
  readonly headerStyle: HeaderStyle;
  readonly timestamp?: string | undefined;
}

/** A signed request ready to POST. */
export interface SignedRequest {
  readonly url: URL;
  readonly type: string;
  readonly id: string;
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

/** A usage mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;
const TIMESTAMP = /^\d{1,12}$/;

async function eventBody(input: SendInput): Promise<{ body: Buffer; type: string }> {
  if (input.event !== undefined) {
    if (!(clerkSampleEventTypes as readonly string[]).includes(input.event)) {
      throw new UsageError(
        `unknown event type "${input.event}" (gatehouse-webhooks list-events prints them)`,
      );
    }
    const event = clerkSampleEvent(input.event as (typeof clerkSampleEventTypes)[number]);
    return { body: Buffer.from(JSON.stringify(event)), type: input.event };
  }
  // A saved event is sent byte for byte: the signature covers exactly what is on disk.
  const body = await readFile(input.file!);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new UsageError(`${input.file} is not JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${input.file} is not a JSON object`);
  }
  const type = (parsed as { type?: unknown }).type;
  return { body, type: typeof type === "string" ? type : "(no type)" };
}

/** Checks the input and signs the event; throws {@link UsageError} for a bad flag. */
export async function signRequest(input: SendInput, nowMs = Date.now()): Promise<SignedRequest> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new UsageError(`--url is not a URL: ${input.url}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError("--url must be http:// or https://");
  }
  let key: Buffer;
  try {
    key = parseWebhookSecret(input.secret, "the secret");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const id = input.id ?? `msg_${randomBytes(18).toString("base64url")}`;
  if (!MESSAGE_ID.test(id)) throw new UsageError("--id: 1 to 256 printable characters");
  if (input.timestamp !== undefined && !TIMESTAMP.test(input.timestamp)) {
    throw new UsageError("--timestamp: whole seconds since the epoch");
  }
  const ts = input.timestamp === undefined ? Math.floor(nowMs / 1000) : Number(input.timestamp);
  const { body, type } = await eventBody(input);
  const p = input.headerStyle === "svix" ? "svix" : "webhook";
  return {
    url,
    type,
    id,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "gatehouse-webhooks-cli",
      [`${p}-id`]: id,
      [`${p}-timestamp`]: String(ts),
      [`${p}-signature`]: signatureHeader([key], id, ts, body),
    },
  };
}

/** POSTs the request (no redirects, 30 s timeout); resolves the status line and body. */
export async function post(
  request: SignedRequest,
): Promise<{ status: number; statusText: string; body: string }> {
  const res = await fetch(request.url, {
    method: "POST",
    headers: request.headers,
    body: request.body,
    redirect: "manual",
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, statusText: res.statusText, body: await res.text() };
}
