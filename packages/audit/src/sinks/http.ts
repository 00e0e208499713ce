/**
 * The HTTP sink: batches POSTed to a SIEM or log collector.
 *
 * @packageDocumentation
 */
import { parseOptions } from "@gatehouse/core";
import { z } from "zod";
import type { AuditSink } from "../types.js";
import { toJsonLines } from "./jsonl.js";

/** Options of {@link httpSink}. */
export interface HttpSinkOptions {
  /** The collector's endpoint, `http:` or `https:`. */
  readonly url: string | URL;
  /** Sent with every request, e.g. `{ authorization: "Splunk …" }`. Never logged. @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Longest a request may take, from connecting to the end of the response, in ms. @default 5000 */
  readonly timeoutMs?: number;
  /**
   * `ndjson`: one JSON event per line (`application/x-ndjson`); `json`: a JSON
   * array of the batch (`application/json`). @default "ndjson"
   */
  readonly format?: "ndjson" | "json";
}

const schema = z.strictObject({
  url: z.union([z.string(), z.instanceof(URL)]).refine((value) => {
    try {
      return ["http:", "https:"].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, "must be an http: or https: URL"),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().min(1).max(300_000).optional(),
  format: z.enum(["ndjson", "json"]).optional(),
});

/**
 * A sink POSTing each batch to a collector (Splunk HEC, Elastic, Datadog,
 * a Vector or Fluent Bit HTTP source). A non-2xx answer, a redirect, a
 * network error or a timeout rejects, so the audit log spools the batch and
 * sends it again later: the collector may see an event twice and should
 * dedupe by `id`. Error messages name the collector's origin only, never its
 * path, query or headers (they carry API keys).
 *
 * @example
 * ```ts
 * httpSink({
 *   url: "https://siem.example.com/ingest",
 *   headers: { authorization: `Bearer ${process.env.SIEM_TOKEN}` },
 * });
 * ```
 */
export function httpSink(options: HttpSinkOptions): AuditSink {
  const o = parseOptions("httpSink()", schema, options);
  const url = new URL(o.url);
  const origin = url.origin;
  const timeoutMs = o.timeoutMs ?? 5000;
  const ndjson = (o.format ?? "ndjson") === "ndjson";
  const headers = new Headers({
    "content-type": ndjson ? "application/x-ndjson" : "application/json",
  });
  for (const [name, value] of Object.entries(o.headers ?? {})) headers.set(name, value);
  const fail = (why: string) => new Error(`httpSink(${origin}): ${why}`);

  return {
    name: "http",
    async write(events) {
      if (events.length === 0) return;
      const body = ndjson ? toJsonLines(events) : JSON.stringify(events);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers,
          body,
          redirect: "error",
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Read the answer to the end (within the timeout) so the connection is reused.
        await response.arrayBuffer();
      } catch (err) {
        const name = (err as { name?: unknown }).name;
        if (name === "TimeoutError") throw fail(`no answer within ${timeoutMs} ms`);
        const code = (err as { cause?: { code?: unknown } }).cause?.code;
        throw fail(`the request failed${typeof code === "string" ? ` (${code})` : ""}`);
      }
      if (response.status < 200 || response.status > 299) {
        throw fail(`the collector answered ${response.status}`);
      }
    },
  };
}
