import { z } from "zod";
import type { Clock } from "../clock.js";
import { configError } from "../errors.js";
import type { KeySource } from "../issuers/issuer.js";
import { importJwks, importPem, KeySet } from "./key-set.js";
import { type RemoteJwksOptions, RemoteKeySource } from "./remote-jwks.js";

/** zod schema of {@link RemoteJwksOptions}. */
export const remoteJwksSchema = z.strictObject({
  maxAgeSec: z.number().positive().optional(),
  maxStaleSec: z.number().min(0).optional(),
  cooldownSec: z.number().min(0).optional(),
  timeoutMs: z.number().int().positive().max(60_000).optional(),
  maxBytes: z.number().int().positive().optional(),
  fetch: z.custom<typeof globalThis.fetch>((v) => typeof v === "function").optional(),
});

/** A JWKS URL: https, or http only on a loopback host (for tests and local issuers). */
export const jwksUrlSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    if (url.protocol === "https:") return true;
    return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}, "must be an https URL (http is allowed on loopback only)");

/** zod schema of a JWKS document. */
export const jwksDocumentSchema = z.object({ keys: z.array(z.unknown()) });

/** Where an issuer's keys are configured to come from. */
export type KeyConfig =
  | { readonly kind: "pem"; readonly pems: readonly string[] }
  | { readonly kind: "jwks"; readonly document: { keys: readonly unknown[] } }
  | { readonly kind: "url"; readonly url: string; readonly options: RemoteJwksOptions };

/**
 * Imports static keys now (so a bad key fails at start-up) and returns a
 * factory for the issuer's key source.
 */
export function prepareKeySource(factory: string, config: KeyConfig): (clock: Clock) => KeySource {
  if (config.kind === "url") {
    return (clock) => new RemoteKeySource(config.url, config.options, clock);
  }
  if (config.kind === "pem") {
    const keys = config.pems.map((pem, i) => {
      const key = importPem(pem);
      if (typeof key === "string") configError(factory, `option "jwtKey" (key ${i + 1}) ${key}`);
      return key;
    });
    const set = new KeySet(keys);
    return () => set;
  }
  const keys = importJwks(config.document);
  if (keys.length === 0) configError(factory, `option "jwks" holds no usable signature key`);
  const set = new KeySet(keys);
  return () => set;
}
