/**
 * The exact bytes of a webhook request, which the signature covers: taken
 * from a raw parser that ran first (`express.raw()` → `req.body` Buffer, or
 * `express.json({ verify })` → `req.rawBody`), else read from the stream
 * here, bounded. A JSON parser that already consumed the stream is reported
 * as such (`webhook_body_parsed`), never as a bad signature. Internal.
 *
 * @packageDocumentation
 */
import type { IncomingMessage } from "node:http";
import { GatehouseError } from "@gatehouse/core/errors";

/** The body as received: bytes, or the text a text parser decoded. */
export type RawBody = Uint8Array | string;

/** The request as parsers leave it (body-parser marks a consumed stream `_body`). */
type ParsedRequest = IncomingMessage & { body?: unknown; rawBody?: unknown; _body?: unknown };

/** What to change when a JSON parser ran first: the message of `webhook_body_parsed`. */
export const PARSED_MESSAGE =
  "A JSON body parser (express.json()) read this webhook before the handler, so the exact bytes the signature covers are gone. " +
  'Mount the webhook route before app.use(express.json()), or give it express.raw({ type: "application/json" }).';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `application/json` or `application/*+json`; a charset other than UTF-8 is refused. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType.split(";");
  const t = type?.trim().toLowerCase() ?? "";
  if (t !== "application/json" && !/^application\/[\w.+-]+\+json$/.test(t)) return false;
  for (const p of params) {
    const [name, value] = p.split("=");
    if (name?.trim().toLowerCase() !== "charset") continue;
    const charset = value?.trim().replace(/^"|"$/g, "").toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8") return false;
  }
  return true;
}

const unsupported = (message: string) =>
  new GatehouseError("webhook_body_invalid", message, { status: 415 });

/** The 413 of a body over the limit. */
export function tooLarge(maxBodyBytes: number): GatehouseError {
  return new GatehouseError(
    "webhook_body_too_large",
    `The webhook body exceeds ${maxBodyBytes} bytes.`,
  );
}

function bounded<T extends RawBody>(body: T, maxBodyBytes: number): T {
  const size = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
  return body;
}

/** Reads the stream up to `maxBodyBytes`; past that, stops keeping chunks and rejects at once. */
function readStream(req: IncomingMessage, maxBodyBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (fn: () => void) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onCut);
      req.off("aborted", onCut);
      req.off("close", onClose);
      fn();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
      // The answer is decided: discard the rest unread (the adapter closes the connection).
      else settle(() => reject(tooLarge(maxBodyBytes)));
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, size)));
    const onCut = () =>
      settle(() =>
        reject(new GatehouseError("webhook_body_invalid", "The webhook body was cut short.")),
      );
    const onClose = () => {
      if (!req.readableEnded) onCut();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onCut);
    req.on("aborted", onCut);
    req.on("close", onClose);
  });
}

/**
 * The raw body of a webhook request, at most `maxBodyBytes`.
 *
 * @throws GatehouseError `webhook_body_invalid` (415) for a type other than
 *   JSON or a compressed stream, (400) for a body cut short;
 *   `webhook_body_too_large` (413); `webhook_body_parsed` (500) when a JSON
 *   parser consumed the stream and kept no raw bytes.
 */
export async function readRawBody(req: IncomingMessage, maxBodyBytes: number): Promise<RawBody> {
  if (!isJsonContentType(header(req, "content-type"))) {
    throw unsupported("A webhook body must be application/json (UTF-8).");
  }
  const r = req as ParsedRequest;
  // express.json({ verify: (req, _res, buf) => { req.rawBody = buf } }) and similar.
  if (r.rawBody instanceof Uint8Array || typeof r.rawBody === "string") {
    return bounded(r.rawBody, maxBodyBytes);
  }
  if (r.body instanceof Uint8Array) return bounded(r.body, maxBodyBytes);
  if (r._body === true || req.readableEnded) {
    if (typeof r.body === "string") return bounded(r.body, maxBodyBytes);
    throw new GatehouseError("webhook_body_parsed", PARSED_MESSAGE);
  }
  const encoding = header(req, "content-encoding");
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
    throw unsupported("Compressed webhook bodies are not accepted.");
  }
  const declared = Number(header(req, "content-length"));
  if (Number.isFinite(declared) && declared > maxBodyBytes) throw tooLarge(maxBodyBytes);
  return readStream(req, maxBodyBytes);
}
