import { GatehouseError } from "../errors.js";

/**
 * Decodes one JWS segment, accepting only canonical unpadded base64url
 * (RFC 7515 §2). Node's decoder also takes padding, `+`/`/`, whitespace, stray
 * characters and non-zero trailing bits, so two different strings could decode
 * to the same bytes; re-encoding and comparing refuses all of those at once,
 * and is faster than validating character by character.
 */
export function decodeBase64url(segment: string, what: string): Buffer {
  const bytes = Buffer.from(segment, "base64url");
  if (bytes.toString("base64url") !== segment) {
    throw new GatehouseError("token_base64_invalid", `The ${what} is not canonical base64url.`);
  }
  return bytes;
}
