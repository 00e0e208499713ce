/**
 * Issues the short-lived access token of a session: the claims Clerk session
 * tokens carry (v1 organization claims, `fva`, `act`), so the core verifier
 * decodes both to the same context, plus the app's custom claims.
 *
 * @packageDocumentation
 */
import { GatehouseError } from "@gatehouse/core/errors";
import type { SessionContext, SessionRecord } from "./context.js";
import { randomToken } from "./crypto.js";
import { sessionInfo } from "./session-info.js";
import type { CreateSessionInput } from "./types.js";

/** Claims only Gatehouse sets; custom claims may not use these names. */
const RESERVED = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "sid",
  "azp",
  "sts",
  "v",
  "o",
  "fva",
  "act",
  "org_id",
  "org_slug",
  "org_role",
  "org_permissions",
  "scope",
]);

/** Refuses custom claims that would shadow a registered one. */
export function checkCustomClaims(claims: Readonly<Record<string, unknown>>, from: string): void {
  for (const name of Object.keys(claims)) {
    if (RESERVED.has(name)) {
      throw new GatehouseError("input_invalid", `${from}: the claim "${name}" is reserved.`);
    }
  }
}

/** The per-session claims stored with the session and copied into each access token. */
export function sessionClaims(
  input: CreateSessionInput,
  azp: string | undefined,
): Record<string, unknown> {
  const claims: Record<string, unknown> = { ...(input.claims ?? {}) };
  const org = input.organization;
  if (org) {
    claims.org_id = org.id;
    if (org.slug !== undefined) claims.org_slug = org.slug;
    if (org.role !== undefined) claims.org_role = org.role;
    claims.org_permissions = [...(org.permissions ?? [])];
  }
  if (input.factorVerificationAge) claims.fva = [...input.factorVerificationAge];
  if (input.actor) claims.act = { ...input.actor };
  if (azp !== undefined) claims.azp = azp;
  return claims;
}

/** Signs a fresh access token for a live session; resolves it with its expiry (epoch ms). */
export async function issueAccessToken(
  ctx: SessionContext,
  session: SessionRecord,
): Promise<{ token: string; expiresAt: number }> {
  const { options } = ctx;
  const now = ctx.clock.now();
  const iat = Math.floor(now / 1000);
  const exp = iat + options.accessTokenTtlSec;
  const extra = options.claims ? await options.claims(sessionInfo(session, now)) : {};
  checkCustomClaims(extra, "accessToken.claims");
  const claims: Record<string, unknown> = {
    ...extra,
    ...((session.tokenClaims ?? {}) as Record<string, unknown>),
    iss: options.issuer,
    sub: session.userId,
    sid: session.id,
    iat,
    exp,
    jti: randomToken(12),
  };
  if (options.audience !== undefined) claims.aud = options.audience;
  return { token: await ctx.keys.sign(claims), expiresAt: exp * 1000 };
}
