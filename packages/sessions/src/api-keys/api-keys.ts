/**
 * API keys in the host's store: `gh_sk_…` secret and `gh_pk_…` publishable
 * keys, stored only as a keyed hash, rotated with an overlap, revoked on
 * every instance within about a second.
 *
 * @packageDocumentation
 */
import { type Clock, type EventBus, parseOptions } from "@gatehouse/core";
import type { RecordStore } from "@gatehouse/core/store";
import { z } from "zod";
import type { SecretRing } from "../crypto.js";
import type { RevocationList } from "../revocation-list.js";
import type { ApiKeys } from "../types.js";
import { type ApiKeyContext, findKey } from "./context.js";
import { createKey } from "./create.js";
import { toInfo } from "./info.js";
import { LastUsedWriter } from "./last-used.js";
import { listKeys } from "./list.js";
import { createResolver } from "./resolver.js";
import { revokeKey } from "./revoke.js";
import { rotateKey } from "./rotate.js";

/** Options of {@link createApiKeys}. */
export interface ApiKeysOptions {
  /** Where keys live; it must serve `apiKeyModel`. */
  readonly records: RecordStore;
  /** The app secrets: keys are stored as an HMAC under the first, and checked against all of them. */
  readonly secrets: SecretRing;
  /** The source of time for expiry, status and `lastUsedAt`; give the record store the same one. */
  readonly clock: Clock;
  /** Receives `api_key.created`, `api_key.rotated` and `api_key.revoked` (ids only, never a key). */
  readonly events?: EventBus;
  /** The shared revocation list the core `apiKeys()` issuer checks on every request. */
  readonly revocations: RevocationList;
  /**
   * Start of every key: `<prefix>_sk_` (secret) and `<prefix>_pk_`
   * (publishable); lowercase letters and digits. Pass the two to the core
   * `apiKeys({ prefixes })` when you change it.
   * @default "gh"
   */
  readonly prefix?: string;
  /**
   * The positive cache TTL of the core `apiKeys()` issuer (`cache.ttlSec`):
   * a revocation is kept in the shared list this long (plus 5 s), so cached
   * keys are refused too.
   * @default 60
   */
  readonly cacheTtlSec?: number;
  /** Seconds between two `lastUsedAt` writes of one key by one instance. @default 300 */
  readonly lastUsedWriteIntervalSec?: number;
  /** Most active keys per subject; `create` beyond it rejects with `input_invalid`. @default 100 */
  readonly maxKeysPerSubject?: number;
}

const fn = (name: string) => (v: unknown) =>
  typeof v === "object" && v !== null && typeof (v as Record<string, unknown>)[name] === "function";

const schema = z.strictObject({
  records: z.custom<RecordStore>(fn("findMany"), "expected a RecordStore"),
  secrets: z.custom<SecretRing>(fn("verifyMac"), "expected a SecretRing"),
  clock: z.custom<Clock>(fn("now"), "expected a Clock"),
  events: z.custom<EventBus>(fn("emit"), "expected an EventBus").optional(),
  revocations: z.custom<RevocationList>(fn("revoke"), "expected a RevocationList"),
  prefix: z
    .string()
    .regex(
      /^[a-z][a-z0-9]{0,15}$/,
      "must be 1-16 lowercase letters and digits, starting with a letter",
    )
    .optional(),
  cacheTtlSec: z.number().min(0).max(3600).optional(),
  lastUsedWriteIntervalSec: z.number().int().min(0).max(86_400).optional(),
  maxKeysPerSubject: z.number().int().min(1).max(10_000).optional(),
});

/**
 * Creates the API-key service over the host's store. Keys look like
 * `gh_sk_` + 12-character lookup id + 43-character secret (256 bits) + 6-character
 * CRC32 checksum, all base62; only an HMAC of the key is stored.
 *
 * @example
 * ```ts
 * import { apiKeys, createVerifier } from "@gatehouse/core";
 *
 * const keys = createApiKeys({ records, secrets, clock, revocations });
 * const { key } = await keys.create({ subject: "user_1", name: "CI", scopes: ["invoices:read"] });
 * const verifier = createVerifier({ issuers: [apiKeys({ resolver: keys.resolver, revocations })] });
 * ```
 * @see https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
 */
export function createApiKeys(options: ApiKeysOptions): ApiKeys {
  const o = parseOptions("createApiKeys()", schema, options);
  const ctx: ApiKeyContext = Object.freeze({
    records: o.records,
    secrets: o.secrets,
    clock: o.clock,
    events: o.events,
    revocations: o.revocations,
    prefix: o.prefix ?? "gh",
    revocationWindowMs: ((o.cacheTtlSec ?? 60) + 5) * 1000,
    lastUsedWriteIntervalMs: (o.lastUsedWriteIntervalSec ?? 300) * 1000,
    maxKeysPerSubject: o.maxKeysPerSubject ?? 100,
  });
  const lastUsed = new LastUsedWriter(ctx.records, ctx.lastUsedWriteIntervalMs);
  return Object.freeze({
    create: (input) => createKey(ctx, input),
    async get(id) {
      const record = await findKey(ctx, id);
      return record === undefined ? undefined : toInfo(record, ctx.clock.now());
    },
    list: (subject, listOptions) => listKeys(ctx, subject, listOptions),
    rotate: (id, rotateOptions) => rotateKey(ctx, id, rotateOptions),
    revoke: (id, revokeOptions) => revokeKey(ctx, id, revokeOptions),
    resolver: createResolver(ctx, lastUsed),
  } satisfies ApiKeys);
}
