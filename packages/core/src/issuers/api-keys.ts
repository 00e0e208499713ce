import { hash } from "node:crypto";
import { z } from "zod";
import type { CredentialSource, SignedInAuthContext, SignedInFields } from "../auth-context.js";
import { deepFreeze } from "../auth-context.js";
import type { SessionClaims } from "../claims.js";
import { GatehouseError, isGatehouseError } from "../errors.js";
import { parseOptions } from "../options.js";
import type { OpaqueIssuer, OpaqueVerification, RevocationCheck } from "./issuer.js";

/** What a valid API key grants, as an {@link ApiKeyResolver} finds it. */
export interface ApiKeyGrant {
  /** The key's id (not its secret); revocation and logs use it. */
  readonly id: string;
  /** Whom the key acts for: a user id, or an organization id. */
  readonly subject: string;
  /** The organization the key is scoped to, if any. */
  readonly orgId?: string | null;
  /** Scopes granted, e.g. `invoices:read`. */
  readonly scopes: readonly string[];
  /** `secret` keys are server-side; `publishable` keys may ship in front-end code. */
  readonly kind: "secret" | "publishable";
  /** Epoch milliseconds after which the key is refused, or `null` for none. */
  readonly expiresAt: number | null;
}

/**
 * Finds what an API key grants. `@gatehouse/sessions` provides one over the
 * host's store (`sessions.apiKeys.resolver`); it rejects with
 * `api_key_invalid`, `api_key_expired` or `api_key_revoked`.
 */
export interface ApiKeyResolver {
  resolve(secret: string, now: number): Promise<ApiKeyGrant>;
}

/** Options of {@link apiKeys}. */
export interface ApiKeysIssuerOptions {
  /** Looks keys up in storage. */
  resolver: ApiKeyResolver;
  /** Credentials with these prefixes are API keys. @default ["gh_sk_", "gh_pk_"] */
  prefixes?: readonly string[];
  /** The `issuer` of API-key contexts. @default "gatehouse:api_keys" */
  issuer?: string;
  /** Refuses revoked keys on every request, cached ones included (e.g. `sessions.revocations`). */
  revocations?: RevocationCheck;
  /** How verification results are cached. */
  cache?: {
    /** Seconds an accepted key is served from memory before storage is read again. @default 60 */
    ttlSec?: number;
    /** Seconds a refused key is answered from memory, so guessing cannot load the store. @default 30 */
    negativeTtlSec?: number;
    /** Most refused keys remembered. @default 10000 */
    maxNegativeEntries?: number;
  };
}

const schema = z.strictObject({
  resolver: z.custom<ApiKeyResolver>(
    (v) => typeof (v as ApiKeyResolver | undefined)?.resolve === "function",
  ),
  prefixes: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{3,32}$/))
    .min(1)
    .optional(),
  issuer: z.string().min(1).optional(),
  revocations: z
    .custom<RevocationCheck>(
      (v) => typeof (v as RevocationCheck | undefined)?.isRevoked === "function",
    )
    .optional(),
  cache: z
    .strictObject({
      ttlSec: z.number().min(0).max(3600).optional(),
      negativeTtlSec: z.number().min(0).max(3600).optional(),
      maxNegativeEntries: z.number().int().positive().optional(),
    })
    .optional(),
});

interface Refusal {
  readonly error: GatehouseError;
  readonly until: number;
}

function refusedKey(): never {
  throw new GatehouseError("api_key_revoked", "The API key was revoked.");
}

/**
 * Trusts API keys (`gh_sk_…` secret keys, `gh_pk_…` publishable keys) from the
 * `Authorization: Bearer` header, looked up through `resolver` with a bounded
 * positive cache (the verifier's token cache, up to `cache.ttlSec`) and a
 * bounded negative cache, so repeated or guessed keys never load the store.
 * The key itself is never logged or put in an error.
 *
 * @example
 * ```ts
 * import { apiKeys, createVerifier } from "@gatehouse/core";
 * import { sessions } from "./sessions.js";
 *
 * const verifier = createVerifier({
 *   issuers: [apiKeys({ resolver: sessions.apiKeys.resolver, revocations: sessions.revocations })],
 * });
 * ```
 */
export function apiKeys(options: ApiKeysIssuerOptions): OpaqueIssuer {
  const o = parseOptions("apiKeys()", schema, options);
  const resolver = o.resolver;
  const issuer = o.issuer ?? "gatehouse:api_keys";
  const ttlMs = (o.cache?.ttlSec ?? 60) * 1000;
  const negativeTtlMs = (o.cache?.negativeTtlSec ?? 30) * 1000;
  const maxNegative = o.cache?.maxNegativeEntries ?? 10_000;
  const refused = new Map<string, Refusal>();
  const inflight = new Map<string, Promise<OpaqueVerification>>();
  const revocations = o.revocations;

  function remember(digest: string, error: GatehouseError, now: number): void {
    if (negativeTtlMs === 0) return;
    if (refused.size >= maxNegative) refused.delete(refused.keys().next().value as string);
    refused.set(digest, { error, until: now + negativeTtlMs });
  }

  function toVerification(grant: ApiKeyGrant, now: number): OpaqueVerification {
    const expiresAt = grant.expiresAt;
    if (expiresAt !== null && expiresAt <= now) {
      throw new GatehouseError("api_key_expired", "The API key has expired.");
    }
    const scopes = Object.freeze([...grant.scopes]);
    const orgId = grant.orgId ?? null;
    const claims: Record<string, unknown> = {
      iss: issuer,
      sub: grant.subject,
      jti: grant.id,
      scope: scopes.join(" "),
      key_kind: grant.kind,
    };
    if (expiresAt !== null) claims.exp = Math.floor(expiresAt / 1000);
    const fields: SignedInFields = {
      userId: grant.subject,
      sessionId: null,
      sessionStatus: null,
      orgId,
      orgRole: null,
      orgSlug: null,
      orgPermissions: orgId === null ? null : Object.freeze([]),
      features: null,
      plans: null,
      factorVerificationAge: null,
      actor: null,
      tokenType: "api_key",
      issuer,
      claims: deepFreeze(claims) as unknown as SessionClaims,
      scopes,
    };
    return { fields, cacheUntil: Math.min(now + ttlMs, expiresAt ?? Number.POSITIVE_INFINITY) };
  }

  return Object.freeze({
    kind: "opaque",
    name: "api-keys",
    prefixes: Object.freeze([...(o.prefixes ?? ["gh_sk_", "gh_pk_"])]),
    verify(
      token: string,
      source: CredentialSource,
      now: number,
    ): OpaqueVerification | Promise<OpaqueVerification> {
      if (source === "cookie") {
        throw new GatehouseError(
          "api_key_invalid",
          "API keys are accepted only in the Authorization header.",
        );
      }
      const digest = hash("sha256", token, "base64");
      const known = refused.get(digest);
      if (known !== undefined) {
        if (now < known.until) throw known.error;
        refused.delete(digest);
      }
      const joined = inflight.get(digest);
      if (joined !== undefined) return joined;
      const pending = resolver.resolve(token, now).then(
        (grant) => toVerification(grant, now),
        (err: unknown) => {
          // Only answers about the key are remembered; an outage must not stick.
          if (isGatehouseError(err) && err.status < 500) remember(digest, err, now);
          throw err;
        },
      );
      const settled = pending.finally(() => inflight.delete(digest));
      inflight.set(digest, settled);
      return settled;
    },
    revalidate:
      revocations === undefined
        ? undefined
        : (context: SignedInAuthContext): void | Promise<void> => {
            const answer = revocations.isRevoked("api_key", context.claims.jti as string);
            if (answer === false) return;
            if (answer === true) refusedKey();
            return answer.then((isRevoked) => {
              if (isRevoked) refusedKey();
            });
          },
  } satisfies OpaqueIssuer);
}
