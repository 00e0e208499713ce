import { z } from "zod";
import type { SignedInFields } from "./auth-context.js";
import {
  type AuthContext,
  type CredentialSource,
  type SignedInAuthContext,
  signedIn,
  signedOut,
} from "./auth-context.js";
import { type Clock, systemClock } from "./clock.js";
import { configError, GatehouseError, isGatehouseError } from "./errors.js";
import type { Issuer, KeySource, OpaqueIssuer } from "./issuers/issuer.js";
import { type AsymmetricAlgorithm, verifySignature } from "./jwt/algorithms.js";
import { checkSubject, checkTimeClaims, normaliseTyp } from "./jwt/claims.js";
import { type DecodedJwt, decodeJwt, type JwsHeader } from "./jwt/decode.js";
import type { VerificationKey } from "./keys/key-set.js";
import { parseOptions } from "./options.js";
import { type RequestLike, readCredential } from "./request.js";
import { TokenCache, type TokenCacheOptions } from "./token-cache.js";

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  /**
   * The issuers whose credentials are trusted: JWT issuers (`clerk()`,
   * `jwks()`, `local()`), to which a token is routed by its `iss`, and opaque
   * issuers (`apiKeys()`), to which a credential is routed by its prefix.
   */
  issuers: readonly (Issuer | OpaqueIssuer)[];
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. @default 5 */
  clockSkewSec?: number;
  /** The source of time. @default the system clock */
  clock?: Clock;
  /** The verified-token cache, or `false` to verify every time. @default { maxEntries: 10000 } */
  cache?: false | TokenCacheOptions;
  /** Longest token accepted, in bytes. @default 8192 */
  maxTokenBytes?: number;
  /** Cookie holding a session token. @default "__session" */
  cookieName?: string;
  /** Treat pending sessions (`sts: "pending"`) as signed in. @default false */
  acceptPendingSessions?: boolean;
}

/** Options of {@link Verifier.verify}. */
export interface VerifyOptions {
  /** Where the token came from; cookie tokens must pass the authorized-party check. @default "header" */
  source?: CredentialSource;
}

/** Verifies tokens and authenticates requests. Build one per app with {@link createVerifier}. */
export interface Verifier {
  /**
   * Verifies a token and resolves the signed-in context, or rejects with a
   * {@link GatehouseError} whose `code` says why.
   */
  verify(token: string, options?: VerifyOptions): Promise<SignedInAuthContext>;
  /**
   * Authenticates a request from its Bearer header or session cookie. Never
   * rejects for a missing or refused credential: it resolves a signed-out
   * context with a `reason`. It rejects only when verification is impossible
   * (`jwks_unavailable`, status 503), which is not the caller's fault.
   */
  authenticate(request: RequestLike): Promise<AuthContext>;
  /**
   * Authenticates without waiting whenever no signing key has to be fetched:
   * always for `jwtKey` and in-memory JWKS issuers, and for a remote JWKS once
   * its keys are cached. Same answers as {@link Verifier.authenticate}, or
   * `undefined` when keys are being fetched (then await `authenticate()`).
   * Throws only where `authenticate()` rejects. Lets a middleware continue
   * synchronously on the hot path.
   */
  authenticateSync(request: RequestLike): AuthContext | undefined;
  /** Fetches every remote JWKS now, so the first request does not wait for it. */
  warmUp(): Promise<void>;
}

const schema = z.strictObject({
  issuers: z
    .array(
      z.custom<Issuer | OpaqueIssuer>(
        (v) => typeof v === "object" && v !== null && ("accept" in v || "prefixes" in v),
      ),
    )
    .min(1),
  clockSkewSec: z.number().min(0).max(300).optional(),
  clock: z.custom<Clock>((v) => typeof (v as Clock | undefined)?.now === "function").optional(),
  cache: z
    .union([
      z.literal(false),
      z.strictObject({ maxEntries: z.number().int().positive().optional() }),
    ])
    .optional(),
  maxTokenBytes: z.number().int().min(256).max(1_048_576).optional(),
  cookieName: z
    .string()
    .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/)
    .optional(),
  acceptPendingSessions: z.boolean().optional(),
});

interface BoundIssuer {
  readonly issuer: Issuer;
  readonly keys: KeySource;
}

type Revalidate = (context: SignedInAuthContext) => void | Promise<void>;

/** A verified credential, as cached: the context, until when, and the issuer's live check. */
interface Verified {
  readonly context: SignedInAuthContext;
  readonly cacheUntil: number;
  readonly revalidate: Revalidate | undefined;
}

function isOpaque(issuer: Issuer | OpaqueIssuer): issuer is OpaqueIssuer {
  return (issuer as OpaqueIssuer).kind === "opaque";
}

/** Runs the issuer's live check (revocation) on a verified or cached credential. */
function revalidated(v: Verified): SignedInAuthContext | Promise<SignedInAuthContext> {
  if (v.revalidate === undefined) return v.context;
  const pending = v.revalidate(v.context);
  return pending === undefined ? v.context : pending.then(() => v.context);
}

/**
 * Creates a verifier for tokens of the given issuers.
 *
 * @example
 * ```ts
 * import { createVerifier, clerk } from "@gatehouse/core";
 *
 * const verifier = createVerifier({ issuers: [clerk({ jwtKey: process.env.CLERK_JWT_KEY! })] });
 * const auth = await verifier.authenticate(req);
 * if (auth.isSignedIn) console.log(auth.userId);
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8725 JWT Best Current Practices
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const o = parseOptions("createVerifier()", schema, options);
  const clock = o.clock ?? systemClock;
  const skewMs = (o.clockSkewSec ?? 5) * 1000;
  const maxTokenBytes = o.maxTokenBytes ?? 8192;
  const cookieName = o.cookieName ?? "__session";
  const acceptPending = o.acceptPendingSessions ?? false;
  const cache = o.cache === false ? undefined : new TokenCache<Verified>(o.cache ?? {});
  const headerCache = new Map<string, JwsHeader>();

  const byIss = new Map<string, BoundIssuer>();
  const opaque: OpaqueIssuer[] = [];
  let wildcard: BoundIssuer | undefined;
  for (const issuer of o.issuers) {
    if (isOpaque(issuer)) {
      opaque.push(issuer);
      continue;
    }
    const bound = { issuer, keys: issuer.createKeySource(clock) };
    if (issuer.iss === undefined) {
      if (wildcard !== undefined) {
        configError(
          "createVerifier()",
          "only one issuer may leave its iss unset; give each an `issuer`",
        );
      }
      wildcard = bound;
    } else {
      if (byIss.has(issuer.iss))
        configError("createVerifier()", `two issuers claim iss "${issuer.iss}"`);
      byIss.set(issuer.iss, bound);
    }
  }

  function route(decoded: DecodedJwt): BoundIssuer {
    const iss = decoded.payload.iss;
    if (typeof iss !== "string")
      throw new GatehouseError("claim_invalid", "The token has no valid iss claim.");
    const bound = byIss.get(iss) ?? wildcard;
    if (bound === undefined)
      throw new GatehouseError("issuer_unknown", "The token's issuer is not trusted.");
    const { alg, typ } = decoded.header;
    const { issuer } = bound;
    if (!issuer.algorithms.includes(alg as AsymmetricAlgorithm)) {
      if (/^hs/i.test(alg)) {
        throw new GatehouseError(
          "alg_confusion",
          "HMAC tokens are refused for an issuer with public keys.",
        );
      }
      throw new GatehouseError(
        "alg_not_allowed",
        "The token's algorithm is not allowed for its issuer.",
      );
    }
    if (issuer.typ !== undefined && (typ !== undefined || issuer.typRequired)) {
      if (typ === undefined || !issuer.typ.includes(normaliseTyp(typ))) {
        throw new GatehouseError("header_typ_invalid", "The token's type (typ) is not accepted.");
      }
    }
    return bound;
  }

  function finish(
    decoded: DecodedJwt,
    issuer: Issuer,
    keys: readonly VerificationKey[],
    source: CredentialSource,
  ): Verified {
    if (keys.length === 0) {
      throw new GatehouseError("kid_unknown", "No key of the issuer matches the token (kid).");
    }
    const alg = decoded.header.alg as AsymmetricAlgorithm;
    let valid = false;
    for (const k of keys) {
      if (verifySignature(alg, k.key, decoded.signingInput, decoded.signature)) {
        valid = true;
        break;
      }
    }
    if (!valid) throw new GatehouseError("signature_invalid", "The token signature is invalid.");
    // Only now, with the signature checked, are the claims worth reading.
    const { payload } = decoded;
    checkTimeClaims(payload, clock.now(), skewMs);
    const sub = checkSubject(payload);
    const fields = issuer.accept(payload, sub, source);
    if (fields.sessionStatus === "pending" && !acceptPending) {
      throw new GatehouseError("session_pending", "The session is pending and not yet signed in.");
    }
    return {
      context: signedIn(fields),
      cacheUntil: (payload.exp as number) * 1000,
      revalidate: issuer.revalidate?.bind(issuer),
    };
  }

  function opaqueIssuerOf(token: string): OpaqueIssuer | undefined {
    for (const issuer of opaque) {
      for (const prefix of issuer.prefixes) if (token.startsWith(prefix)) return issuer;
    }
    return undefined;
  }

  function verifyUncached(token: string, source: CredentialSource): Verified | Promise<Verified> {
    const opaqueIssuer = opaque.length === 0 ? undefined : opaqueIssuerOf(token);
    if (opaqueIssuer !== undefined) {
      if (token.length > maxTokenBytes) {
        throw new GatehouseError("token_too_large", `The token exceeds ${maxTokenBytes} bytes.`);
      }
      const toVerified = (r: { fields: SignedInFields; cacheUntil: number }): Verified => ({
        context: signedIn(r.fields),
        cacheUntil: r.cacheUntil,
        revalidate: opaqueIssuer.revalidate?.bind(opaqueIssuer),
      });
      const result = opaqueIssuer.verify(token, source, clock.now());
      return result instanceof Promise ? result.then(toVerified) : toVerified(result);
    }
    const decoded = decodeJwt(token, maxTokenBytes, headerCache);
    const { issuer, keys } = route(decoded);
    const candidates = keys.candidates(
      decoded.header.kid,
      decoded.header.alg as AsymmetricAlgorithm,
    );
    if (Array.isArray(candidates)) return finish(decoded, issuer, candidates, source);
    return (candidates as Promise<readonly VerificationKey[]>).then((found) =>
      finish(decoded, issuer, found, source),
    );
  }

  function verifyThroughCache(
    token: string,
    source: CredentialSource,
  ): Verified | Promise<Verified> {
    if (cache === undefined) return verifyUncached(token, source);
    const key = cache.key(token, source === "cookie");
    const hit = cache.get(key, clock.now());
    if (hit !== undefined) return hit;
    const result = verifyUncached(token, source);
    if (!(result instanceof Promise)) {
      cache.set(key, result, result.cacheUntil);
      return result;
    }
    return result.then((verified) => {
      cache.set(key, verified, verified.cacheUntil);
      return verified;
    });
  }

  /**
   * Verifies through the cache, then runs the issuer's live check:
   * synchronously whenever no key or store has to be read.
   */
  function resolve(
    token: string,
    source: CredentialSource,
  ): SignedInAuthContext | Promise<SignedInAuthContext> {
    if (typeof token !== "string") {
      throw new GatehouseError("token_malformed", "The token is not a string.");
    }
    const verified = verifyThroughCache(token, source);
    return verified instanceof Promise ? verified.then(revalidated) : revalidated(verified);
  }

  async function verify(token: string, opts?: VerifyOptions): Promise<SignedInAuthContext> {
    return resolve(token, opts?.source ?? "header");
  }

  return Object.freeze({
    verify,
    authenticateSync(request: RequestLike): AuthContext | undefined {
      const credential = readCredential(request, cookieName);
      if (credential === undefined) return signedOut();
      try {
        const result = resolve(credential.token, credential.source);
        if (!(result instanceof Promise)) return result;
        // Keys are being fetched: the caller falls back to authenticate(), which joins
        // the same fetch; this promise's outcome is not needed.
        result.catch(() => {});
        return undefined;
      } catch (err) {
        if (isGatehouseError(err) && err.status < 500) return signedOut(err.code, err.message);
        throw err;
      }
    },
    async authenticate(request: RequestLike): Promise<AuthContext> {
      const credential = readCredential(request, cookieName);
      if (credential === undefined) return signedOut();
      try {
        return await resolve(credential.token, credential.source);
      } catch (err) {
        if (isGatehouseError(err) && err.status < 500) return signedOut(err.code, err.message);
        throw err;
      }
    },
    async warmUp(): Promise<void> {
      const all = [...byIss.values(), ...(wildcard ? [wildcard] : [])];
      await Promise.all(all.map((b) => b.keys.load?.()));
    },
  });
}
