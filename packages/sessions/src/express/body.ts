/**
 * Reads a small JSON request body: the one a JSON parser (`express.json()`)
 * already produced, or the raw stream, bounded, read here. Internal.
 *
 * @packageDocumentation
 */
import type { IncomingMessage } from "node:http";
import { GatehouseError } from "@gatehouse/core/errors";
import { header } from "./http.js";

/** Largest body read (bytes): every body of these routes is a few hundred bytes. */
export const MAX_BODY_BYTES = 16_384;

/** `application/json`, with parameters; a charset other than UTF-8 is refused. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType.split(";");
  if (type?.trim().toLowerCase() !== "application/json") return false;
  for (const p of params) {
    const [name, value] = p.split("=");
    if (name?.trim().toLowerCase() === "charset") {
      const charset = value?.trim().replace(/^"|"$/g, "").toLowerCase();
      if (charset !== "utf-8" && charset !== "utf8") return false;
    }
  }
  return true;
}

function invalid(message: string, status = 400): GatehouseError {
  return new GatehouseError("input_invalid", message, { status });
}

/** Whether the request announces a body (RFC 9112 §6.3: `Transfer-Encoding` or a non-zero `Content-Length`). */
function announcesBody(req: IncomingMessage): boolean {
  if (header(req, "transfer-encoding") !== undefined) return true;
  const length = header(req, "content-length");
  return length !== undefined && length.trim() !== "0";
}

function parse(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw invalid("The request body is not valid JSON.");
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw invalid("The request body is not valid UTF-8.");
  }
}

/** Reads the raw stream up to {@link MAX_BODY_BYTES}. */
function readStream(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(header(req, "content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        cleanup();
        // Discard the rest without buffering it; the answer is already decided.
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => {
      cleanup();
      reject(invalid("The request body was cut short."));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

function tooLarge(): GatehouseError {
  return invalid(`The request body is larger than ${MAX_BODY_BYTES} bytes.`, 413);
}

/**
 * The JSON body of a request, or `undefined` when it has none. Uses
 * `req.body` when a parser already consumed the stream (body-parser marks it
 * `_body`), else reads at most 16 KiB itself.
 *
 * @throws GatehouseError `input_invalid` — 415 for a body that is not
 *   `application/json` (UTF-8, no `Content-Encoding`), 413 when larger than
 *   16 KiB, 400 when it is not valid JSON.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const parsed = req as IncomingMessage & { _body?: unknown; body?: unknown };
  const consumed = parsed._body === true || req.readableEnded;
  const hasBody = consumed ? parsed.body !== undefined : announcesBody(req);
  if (!hasBody) return undefined;
  if (!isJson(header(req, "content-type"))) {
    throw invalid("The request body must be application/json (UTF-8).", 415);
  }
  const encoding = header(req, "content-encoding");
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
    throw invalid("Compressed request bodies are not accepted.", 415);
  }
  if (consumed) {
    const body = parsed.body;
    if (typeof body === "string") return parse(body);
    if (Buffer.isBuffer(body)) return parse(decode(body));
    return body;
  }
  return parse(decode(await readStream(req)));
}
