import { z } from "zod";
import type { SignedInAuthContext, SignedInFields } from "../auth-context.js";
import { clerkSessionFields } from "../clerk/session-claims.js";
import type { Clock } from "../clock.js";
import { GatehouseError } from "../errors.js";
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "../jwt/algorithms.js";
import { checkAudience, checkAuthorizedParty } from "../jwt/claims.js";
import { jwksDocumentSchema, prepareKeySource } from "../keys/key-options.js";
import type { JsonWebKeySet } from "../keys/key-set.js";
import { RemoteKeySource } from "../keys/remote-jwks.js";
import { parseOptions } from "../options.js";
import type { Issuer, KeySource, RevocationCheck } from "./issuer.js";

/** Options of {@link local}. */
export interface LocalIssuerOptions {
  /** The exact `iss` of the access tokens: the `issuer` given to `createSessions()`. */
  issuer: string;
  /**
   * The public keys: a JWKS document, or a loader such as `sessions.publicJwks`
   * (called at start-up, when the copy is older than `keyCache.maxAgeSec`, and
   * when a token names an unknown `kid`, at most once per `keyCache.cooldownSec`).
   */
  jwks: JsonWebKeySet | (() => Promise<JsonWebKeySet>);
  /** Expected `aud`; when set, tokens without it are refused. @default none */
  audience?: string | readonly string[];
  /** Accepted algorithms. @default ["RS256", "ES256", "EdDSA"] */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Origins allowed in `azp`; required to accept tokens from a cookie. @default [] */
  authorizedParties?: readonly string[];
  /**
   * Refuses tokens of revoked sessions on every request (cached ones included),
   * e.g. `sessions.revocations`. Without it a revoked session's tokens live until they expire.
   */
  revocations?: RevocationCheck;
  /** How a loaded key set is cached. */
  keyCache?: {
    /** Seconds before the key set is reloaded in the background. @default 60 */
    maxAgeSec?: number;
    /** Minimum seconds between two reloads caused by unknown `kid`s. @default 5 */
    cooldownSec?: number;
  };
}

const schema = z.strictObject({
  issuer: z.string().min(1),
  jwks: z.union([
    jwksDocumentSchema,
    z.custom<() => Promise<JsonWebKeySet>>((v) => typeof v === "function"),
  ]),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  algorithms: z
    .array(z.enum(ASYMMETRIC_ALGORITHMS as [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]]))
    .min(1)
    .optional(),
  authorizedParties: z.array(z.string().min(1)).optional(),
  revocations: z
    .custom<RevocationCheck>(
      (v) => typeof (v as RevocationCheck | undefined)?.isRevoked === "function",
    )
    .optional(),
  keyCache: z
    .strictObject({
      maxAgeSec: z.number().positive().optional(),
      cooldownSec: z.number().min(0).optional(),
    })
    .optional(),
});

const TYP = Object.freeze(["at+jwt"]);

function revoked(): never {
  throw new GatehouseError("session_revoked", "The session was signed out.");
}

/**
 * Trusts the access tokens Gatehouse issues itself (`@gatehouse/sessions`):
 * `typ: at+jwt` (RFC 9068), an exact `iss`, a `sid`, and a signature by one
 * of the app's own keys, with no network. Their claims decode to the same
 * context as Clerk session tokens. With `revocations`, a revoked session's
 * tokens are refused on every instance within about a second.
 *
 * @example
 * ```ts
 * import { createVerifier, local } from "@gatehouse/core";
 * import { sessions } from "./sessions.js";
 *
 * const verifier = createVerifier({ issuers: [sessions.issuer()] }); // or, by hand:
 * local({ issuer: "https://app.example.com", jwks: sessions.publicJwks, revocations: sessions.revocations });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9068 JWT Profile for OAuth 2.0 Access Tokens
 */
export function local(options: LocalIssuerOptions): Issuer {
  const o = parseOptions("local()", schema, options);
  const jwks = o.jwks as LocalIssuerOptions["jwks"];
  const createKeySource: (clock: Clock) => KeySource =
    typeof jwks === "function"
      ? (clock) =>
          new RemoteKeySource(
            jwks,
            {
              maxAgeSec: o.keyCache?.maxAgeSec ?? 60,
              cooldownSec: o.keyCache?.cooldownSec ?? 5,
              maxStaleSec: 3600,
            },
            clock,
          )
      : prepareKeySource("local()", { kind: "jwks", document: jwks });
  const audience = o.audience === undefined ? undefined : Object.freeze([o.audience].flat());
  const authorizedParties = Object.freeze([...(o.authorizedParties ?? [])]);
  const revocations = o.revocations;
  return Object.freeze({
    name: `local(${o.issuer})`,
    iss: o.issuer,
    algorithms: Object.freeze([...(o.algorithms ?? ["RS256", "ES256", "EdDSA"])]),
    typ: TYP,
    typRequired: true,
    createKeySource,
    accept(payload, sub, source): SignedInFields {
      if (audience !== undefined) checkAudience(payload.aud, audience);
      checkAuthorizedParty(payload.azp, authorizedParties, source === "cookie");
      if (typeof payload.sid !== "string" || payload.sid.length === 0) {
        throw new GatehouseError("claim_invalid", "The access token has no session id (sid).");
      }
      return clerkSessionFields(payload, sub);
    },
    revalidate:
      revocations === undefined
        ? undefined
        : (context: SignedInAuthContext): void | Promise<void> => {
            const answer = revocations.isRevoked("session", context.sessionId as string);
            if (answer === false) return;
            if (answer === true) revoked();
            return answer.then((isRevoked) => {
              if (isRevoked) revoked();
            });
          },
  } satisfies Issuer);
}
