/**
 * Answers written with `statusCode`, `setHeader`, `write` and `end` only
 * (Express 4 and 5, Connect, `node:http`), and the request's path and query
 * relative to the mount point. Internal.
 *
 * @packageDocumentation
 */
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Headers of every answer: the trail is personal data. */
function privateHeaders(res: ServerResponse): void {
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", String(Buffer.byteLength(text)));
  privateHeaders(res);
  res.end(text);
}

/** The path of `req.url` (relative to the mount point), without query, one trailing slash removed. */
export function relativePath(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  let path = q === -1 ? url : url.slice(0, q);
  if (path === "") path = "/";
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

/** The query string of `req.url`, as pairs (repeated keys kept). */
export function queryPairs(req: IncomingMessage): [string, string][] {
  const url = req.url ?? "";
  const q = url.indexOf("?");
  return q === -1 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

/**
 * Streams `chunks` as a download (`content-disposition: attachment`), with
 * backpressure. The first two chunks (a CSV header and the first page) are
 * read before the headers go out, so a store that is down gets a clean error
 * answer (the promise rejects; the caller answers it). A failure later
 * destroys the response: the client sees a cut transfer, never a
 * complete-looking file. Reading stops when the client goes away.
 */
export async function sendDownload(
  res: ServerResponse,
  contentType: string,
  filename: string,
  chunks: AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: (string | Uint8Array)[] = [];
  let step = await iterator.next();
  if (!step.done) {
    head.push(step.value);
    step = await iterator.next();
  }
  res.statusCode = 200;
  res.setHeader("content-type", contentType);
  res.setHeader("content-disposition", `attachment; filename="${filename}"`);
  privateHeaders(res);
  for (const chunk of head) res.write(chunk);
  try {
    for (; !step.done; step = await iterator.next()) {
      if (res.destroyed) break;
      if (!res.write(step.value)) await Promise.race([once(res, "drain"), once(res, "close")]);
    }
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  if (res.destroyed) await iterator.return?.();
  else res.end();
}
