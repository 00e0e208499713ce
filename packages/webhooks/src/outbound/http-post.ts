/**
 * Internal: one webhook POST on `node:http`/`node:https` (not fetch), so the
 * connection goes to the address that was checked, redirects are never
 * followed, and one deadline covers connecting, sending and reading the whole
 * response.
 *
 * @packageDocumentation
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction as NetLookup } from "node:net";
import type { WebhookAttemptErrorKind } from "./types.js";

/** What one POST needs. */
export interface PostRequest {
  readonly url: URL;
  /** The checked address to connect to; `Host` and SNI stay the URL's host name. */
  readonly address: string;
  readonly family: 4 | 6;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

/** How it went: a 2xx has no `errorKind`. */
export interface PostResult {
  readonly statusCode: number | null;
  readonly errorKind: WebhookAttemptErrorKind | null;
  /** The first KiB of the response body, as text. */
  readonly excerpt: string | null;
  /** A short, credential-free reason (`ECONNREFUSED`, `HTTP 500`, …). */
  readonly error: string | null;
}

const EXCERPT_BYTES = 1024;
/** Beyond this much response body the answer counts as complete (its status decides). */
const MAX_READ_BYTES = 1_048_576;

/** A `lookup` for `http.request` that answers with the checked address only. */
function pinnedLookup(address: string, family: 4 | 6): NetLookup {
  return ((_hostname: string, options: { all?: boolean }, callback: Function) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as NetLookup;
}

function excerptOf(chunks: Buffer[]): string | null {
  if (chunks.length === 0) return null;
  // NUL cannot be stored by SQL backends; the rest of the text is kept as sent.
  return Buffer.concat(chunks)
    .subarray(0, EXCERPT_BYTES)
    .toString("utf8")
    .replaceAll("\0", "\uFFFD");
}

function classify(status: number): Pick<PostResult, "errorKind" | "error"> {
  if (status >= 200 && status < 300) return { errorKind: null, error: null };
  if (status >= 300 && status < 400) return { errorKind: "redirect", error: `HTTP ${status}` };
  return { errorKind: "http_status", error: `HTTP ${status}` };
}

/** POSTs `body`; never rejects. */
export function post(request: PostRequest): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    let statusCode: number | null = null;
    const chunks: Buffer[] = [];
    let kept = 0;

    const finish = (result: Omit<PostResult, "excerpt">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...result, excerpt: excerptOf(chunks) });
    };
    const failed = (errorKind: WebhookAttemptErrorKind, error: string) =>
      finish({ statusCode, errorKind, error });

    const mod = request.url.protocol === "https:" ? https : http;
    let req: http.ClientRequest;
    try {
      req = mod.request(request.url, {
        method: "POST",
        headers: {
          ...request.headers,
          "content-length": String(Buffer.byteLength(request.body)),
          connection: "close",
        },
        agent: false,
        lookup: pinnedLookup(request.address, request.family),
      });
    } catch (error) {
      resolve({
        statusCode: null,
        errorKind: "network",
        excerpt: null,
        error: (error as NodeJS.ErrnoException).code ?? "request failed",
      });
      return;
    }
    const timer = setTimeout(
      () => failed("timeout", `no complete response in ${request.timeoutMs} ms`),
      request.timeoutMs,
    );

    req.on("response", (res: IncomingMessage) => {
      statusCode = res.statusCode ?? null;
      let read = 0;
      res.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (kept < EXCERPT_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        if (read > MAX_READ_BYTES) finish({ statusCode, ...classify(statusCode ?? 0) });
      });
      res.on("end", () => finish({ statusCode, ...classify(statusCode ?? 0) }));
      res.on("error", (error: NodeJS.ErrnoException) =>
        failed("network", `response: ${error.code ?? "aborted"}`),
      );
      res.on("close", () => {
        if (!res.complete) failed("network", "the connection closed mid-response");
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) =>
      failed("network", error.code ?? "connection failed"),
    );
    req.end(request.body);
  });
}
