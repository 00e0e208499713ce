import { z } from "zod";
import type { SignedInFields } from "../auth-context.js";
import { frontendApiFromPublishableKey } from "../clerk/publishable-key.js";
import { clerkSessionFields } from "../clerk/session-claims.js";
import { configError } from "../errors.js";
import type { AsymmetricAlgorithm } from "../jwt/algorithms.js";
import { checkAudience, checkAuthorizedParty } from "../jwt/claims.js";
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

/** Options of {@link clerk}. Give one key source: `jwtKey`, `jwks`, `jwksUrl` or `publishableKey`. */
export interface ClerkIssuerOptions {
  /**
   * The instance's PEM public key ("JWKS Public Key" in the Clerk dashboard,
   * `CLERK_JWT_KEY`): verification needs no network. Several keys (an array)
   * are all accepted, for rotation.
   */
  jwtKey?: string | readonly string[];
  /** A JWKS document of the instance, held in memory (no network). */
  jwks?: JsonWebKeySet;
  /** The instance's JWKS URL, e.g. `https://clerk.example.com/.well-known/jwks.json`; fetched and cached. */
  jwksUrl?: string;
  /**
   * The publishable key (`pk_live_…`). Gatehouse derives the issuer
   * (`https://<frontend api>`) from it and, when no other key source is
   * given, the JWKS URL.
   */
  publishableKey?: string;
  /** The exact `iss` of the instance. @default derived from `publishableKey`, else any `iss` */
  issuer?: string;
  /**
   * Origins allowed in `azp`, e.g. `["https://app.example.com"]`. Required to
   * accept tokens from the `__session` cookie. @default []
   */
  authorizedParties?: readonly string[];
  /** Expected `aud` (JWT templates); when set, tokens without it are refused. @default none */
  audience?: string | readonly string[];
  /** Accepted algorithms. @default ["RS256"] */
  algorithms?: readonly ("RS256" | "RS384" | "RS512")[];
  /** Cache and refresh policy of a remote JWKS. */
  jwksCache?: RemoteJwksOptions;
}

const schema = z.strictObject({
  jwtKey: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  jwks: jwksDocumentSchema.optional(),
  jwksUrl: jwksUrlSchema.optional(),
  publishableKey: z.string().optional(),
  issuer: z.string().min(1).optional(),
  authorizedParties: z.array(z.string().min(1)).optional(),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  algorithms: z
    .array(z.enum(["RS256", "RS384", "RS512"]))
    .min(1)
    .optional(),
  jwksCache: remoteJwksSchema.optional(),
});

/**
 * Trusts Clerk session tokens of one Clerk instance.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({
 *   issuers: [clerk({ jwtKey: process.env.CLERK_JWT_KEY, authorizedParties: ["https://app.example.com"] })],
 * });
 * ```
 * @see https://clerk.com/docs/backend-requests/manual-jwt
 */
export function clerk(options: ClerkIssuerOptions): Issuer {
  const o = parseOptions("clerk()", schema, options);
  let frontendApi: string | null = null;
  if (o.publishableKey !== undefined) {
    frontendApi = frontendApiFromPublishableKey(o.publishableKey);
    if (frontendApi === null) {
      configError(
        "clerk()",
        'option "publishableKey" is not a Clerk publishable key (pk_test_… or pk_live_…)',
      );
    }
  }
  const sources = [o.jwtKey, o.jwks, o.jwksUrl].filter((s) => s !== undefined).length;
  if (sources > 1) configError("clerk()", "give only one of jwtKey, jwks and jwksUrl");
  let keys: KeyConfig;
  if (o.jwtKey !== undefined) keys = { kind: "pem", pems: [o.jwtKey].flat() };
  else if (o.jwks !== undefined) keys = { kind: "jwks", document: o.jwks };
  else if (o.jwksUrl !== undefined)
    keys = { kind: "url", url: o.jwksUrl, options: o.jwksCache ?? {} };
  else if (frontendApi !== null) {
    keys = {
      kind: "url",
      url: `https://${frontendApi}/.well-known/jwks.json`,
      options: o.jwksCache ?? {},
    };
  } else {
    return configError("clerk()", "give a key source: jwtKey, jwks, jwksUrl or publishableKey");
  }
  const createKeySource = prepareKeySource("clerk()", keys);
  const authorizedParties = Object.freeze([...(o.authorizedParties ?? [])]);
  const audience = o.audience === undefined ? undefined : Object.freeze([o.audience].flat());
  return Object.freeze({
    name: "clerk",
    iss: o.issuer ?? (frontendApi === null ? undefined : `https://${frontendApi}`),
    algorithms: Object.freeze([...(o.algorithms ?? ["RS256"])]) as readonly AsymmetricAlgorithm[],
    typ: Object.freeze(["jwt"]),
    typRequired: false,
    createKeySource,
    accept(payload, sub, source): SignedInFields {
      if (audience !== undefined) checkAudience(payload.aud, audience);
      checkAuthorizedParty(payload.azp, authorizedParties, source === "cookie");
      return clerkSessionFields(payload, sub);
    },
  } satisfies Issuer);
}
