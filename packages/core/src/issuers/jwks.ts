import { z } from "zod";
import { deepFreeze, type SignedInFields } from "../auth-context.js";
import type { SessionClaims } from "../claims.js";
import { configError } from "../errors.js";
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "../jwt/algorithms.js";
import { checkAudience, checkAuthorizedParty, normaliseTyp } from "../jwt/claims.js";
import {
  jwksDocumentSchema,
  jwksUrlSchema,
  type KeyConfig,
  prepareKeySource,
  remoteJwksSchema,
} from "../keys/key-options.js";
import type { JsonWebKeySet } from "../keys/key-set.js";
import type { RemoteJwksOptions } from "../keys/remote-jwks.js";
import { parseOptions } from "../options.js";
import type { Issuer } from "./issuer.js";

/** Options of {@link jwks}. Give one of `jwksUri` and `jwks`. */
export interface JwksIssuerOptions {
  /** The exact `iss` of the issuer, e.g. `https://auth.example.com/`. */
  issuer: string;
  /** The issuer's JWKS URL (OIDC `jwks_uri`); fetched and cached. */
  jwksUri?: string;
  /** A JWKS document held in memory (no network). */
  jwks?: JsonWebKeySet;
  /** Expected `aud`; when set, tokens without it are refused. Strongly recommended. @default none */
  audience?: string | readonly string[];
  /** Accepted algorithms; never HMAC. @default all of RS*, PS*, ES*, EdDSA */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Required header `typ`, e.g. `"at+jwt"` for RFC 9068 access tokens. @default any */
  typ?: string;
  /** Origins allowed in `azp`; required to accept tokens from a cookie. @default [] */
  authorizedParties?: readonly string[];
  /** Cache and refresh policy of a remote JWKS. */
  jwksCache?: RemoteJwksOptions;
}

const schema = z.strictObject({
  issuer: z.string().min(1),
  jwksUri: jwksUrlSchema.optional(),
  jwks: jwksDocumentSchema.optional(),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  algorithms: z
    .array(z.enum(ASYMMETRIC_ALGORITHMS as [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]]))
    .min(1)
    .optional(),
  typ: z.string().min(1).optional(),
  authorizedParties: z.array(z.string().min(1)).optional(),
  jwksCache: remoteJwksSchema.optional(),
});

/**
 * Trusts the tokens of any OIDC/JWKS issuer (Auth0, Cognito, Keycloak, your
 * own): the `iss` must match exactly and the signature must verify with one of
 * the issuer's keys.
 *
 * @example
 * ```ts
 * jwks({ issuer: "https://auth.example.com/", jwksUri: "https://auth.example.com/.well-known/jwks.json", audience: "api" })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7517 JSON Web Key
 */
export function jwks(options: JwksIssuerOptions): Issuer {
  const o = parseOptions("jwks()", schema, options);
  if ((o.jwksUri === undefined) === (o.jwks === undefined)) {
    configError("jwks()", "give exactly one of jwksUri and jwks");
  }
  const keys: KeyConfig =
    o.jwks !== undefined
      ? { kind: "jwks", document: o.jwks }
      : { kind: "url", url: o.jwksUri!, options: o.jwksCache ?? {} };
  const createKeySource = prepareKeySource("jwks()", keys);
  const audience = o.audience === undefined ? undefined : Object.freeze([o.audience].flat());
  const authorizedParties = Object.freeze([...(o.authorizedParties ?? [])]);
  const issuer = o.issuer;
  return Object.freeze({
    name: `jwks(${issuer})`,
    iss: issuer,
    algorithms: Object.freeze([...(o.algorithms ?? ASYMMETRIC_ALGORITHMS)]),
    typ: o.typ === undefined ? undefined : Object.freeze([normaliseTyp(o.typ)]),
    typRequired: o.typ !== undefined,
    createKeySource,
    accept(payload, sub, source): SignedInFields {
      if (audience !== undefined) checkAudience(payload.aud, audience);
      checkAuthorizedParty(payload.azp, authorizedParties, source === "cookie");
      return {
        userId: sub,
        sessionId: typeof payload.sid === "string" ? payload.sid : null,
        sessionStatus: null,
        orgId: null,
        orgRole: null,
        orgSlug: null,
        orgPermissions: null,
        features: null,
        plans: null,
        factorVerificationAge: null,
        actor: null,
        tokenType: "jwt",
        issuer,
        claims: deepFreeze(payload) as SessionClaims,
      };
    },
  } satisfies Issuer);
}
