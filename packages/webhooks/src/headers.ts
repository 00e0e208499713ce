/**
 * Reading webhook headers from Node's `IncomingHttpHeaders` (lower-case
 * names) or a Fetch `Headers`, in either naming: Svix (`svix-id`,
 * `svix-timestamp`, `svix-signature`) or Standard Webhooks (`webhook-*`).
 *
 * @packageDocumentation
 */

/** Request headers as Node gives them, or a Fetch `Headers`. */
export type HeadersLike =
  | { readonly [name: string]: string | readonly string[] | undefined }
  | { get(name: string): string | null };

function read(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  return typeof value === "string" ? value : undefined;
}

/** The id, timestamp and signature headers of a webhook, whichever naming the sender used. */
export interface WebhookHeaderValues {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/** Reads the three headers, preferring the Standard Webhooks names. */
export function readWebhookHeaders(headers: HeadersLike): WebhookHeaderValues {
  const standard = read(headers, "webhook-id");
  const prefix = standard !== undefined ? "webhook" : "svix";
  return {
    id: standard ?? read(headers, "svix-id"),
    timestamp: read(headers, `${prefix}-timestamp`),
    signature: read(headers, `${prefix}-signature`),
  };
}
