/**
 * The shape rules of an endpoint URL (where it points is checked by ./ssrf.ts).
 *
 * @packageDocumentation
 */
import { GatehouseError } from "@gatehouse/core/errors";

const MAX_URL_LENGTH = 2048;

/**
 * Parses an endpoint URL: absolute `http:` or `https:`, no credentials
 * (`user:pass@` would be sent to the receiver in the clear and logged),
 * at most 2048 characters. Returns the normalised URL; throws
 * `webhook_url_forbidden` otherwise.
 */
export function parseEndpointUrl(input: string): URL {
  let url: URL;
  try {
    if (typeof input !== "string" || input.length > MAX_URL_LENGTH) throw new Error();
    url = new URL(input);
  } catch {
    throw new GatehouseError(
      "webhook_url_forbidden",
      `The endpoint URL is not an absolute URL of at most ${MAX_URL_LENGTH} characters.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new GatehouseError("webhook_url_forbidden", "The endpoint URL must be http or https.");
  }
  if (url.username !== "" || url.password !== "") {
    throw new GatehouseError(
      "webhook_url_forbidden",
      "The endpoint URL must not carry credentials (user:password@).",
    );
  }
  if (url.href.length > MAX_URL_LENGTH) {
    throw new GatehouseError("webhook_url_forbidden", "The endpoint URL is too long.");
  }
  return url;
}
