import type { SignedInFields } from "../auth-context.js";
import { deepFreeze } from "../auth-context.js";
import type { Actor, FactorVerificationAge, SessionClaims } from "../claims.js";

const EMPTY: readonly string[] = Object.freeze([]);

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

/**
 * Maps the verified claims of a Clerk session token, v1 or v2, onto one
 * context shape. v2 tokens (`v: 2`) carry the organization in `o` and encode
 * permissions as a per-feature bitmask (`fpm`) over a shared list (`per`).
 */
export function clerkSessionFields(payload: Record<string, unknown>, sub: string): SignedInFields {
  let orgId: string | null = null;
  let orgRole: string | null = null;
  let orgSlug: string | null = null;
  let orgPermissions: readonly string[] | null = null;
  if (payload.v === 2) {
    const o = payload.o;
    if (typeof o === "object" && o !== null) {
      const org = o as Record<string, unknown>;
      orgId = str(org.id);
      orgSlug = str(org.slg);
      const rol = str(org.rol);
      orgRole = rol === null ? null : `org:${rol}`;
      orgPermissions = orgPermissionsOf(payload.fea, org.per, org.fpm);
    }
  } else {
    orgId = str(payload.org_id);
    orgSlug = str(payload.org_slug);
    orgRole = str(payload.org_role);
    const perms = payload.org_permissions;
    orgPermissions = Array.isArray(perms)
      ? Object.freeze(perms.filter((p): p is string => typeof p === "string"))
      : null;
  }
  return {
    userId: sub,
    sessionId: str(payload.sid),
    sessionStatus: payload.sts === "pending" || payload.sts === "active" ? payload.sts : null,
    orgId,
    orgRole,
    orgSlug,
    orgPermissions: orgId === null ? null : (orgPermissions ?? EMPTY),
    features: str(payload.fea),
    plans: str(payload.pla),
    factorVerificationAge: factorAge(payload.fva),
    actor: actor(payload.act),
    tokenType: "session_token",
    issuer: payload.iss as string,
    claims: deepFreeze(payload) as SessionClaims,
  };
}

// Tokens of one organization share their permission claims, so the expansion is memoised (bounded).
const expanded = new Map<string, readonly string[]>();

function orgPermissionsOf(fea: unknown, per: unknown, fpm: unknown): readonly string[] {
  if (typeof fea !== "string" || typeof per !== "string" || typeof fpm !== "string") return [];
  // Length-prefixed, so no two claim sets share a key whatever characters they hold.
  const key = `${fea.length}:${fea}${per.length}:${per}${fpm}`;
  let list = expanded.get(key);
  if (list === undefined) {
    list = Object.freeze(expandFeaturePermissions(fea, per, fpm));
    if (expanded.size >= 512) expanded.delete(expanded.keys().next().value as string);
    expanded.set(key, list);
  }
  return list;
}

/**
 * Expands v2 permissions: for the i-th organization feature in `fea` (scope
 * `o`), bit j (least significant first) of the i-th decimal in `fpm` grants
 * `org:<feature>:<per[j]>`.
 */
export function expandFeaturePermissions(fea: unknown, per: unknown, fpm: unknown): string[] {
  if (typeof fea !== "string" || typeof per !== "string" || typeof fpm !== "string") return [];
  if (per === "" || fpm === "") return [];
  const orgFeatures: string[] = [];
  for (const part of fea.split(",")) {
    const entry = part.trim();
    const sep = entry.indexOf(":");
    const scope = entry.slice(0, sep);
    if (sep > 0 && (scope === "o" || scope === "ou" || scope === "uo"))
      orgFeatures.push(entry.slice(sep + 1));
  }
  const permissions = per.split(",").map((p) => p.trim());
  const masks = fpm.split(",").map((m) => m.trim());
  const out: string[] = [];
  for (let f = 0; f < orgFeatures.length && f < masks.length; f++) {
    const mask = masks[f]!;
    if (!/^\d+$/.test(mask)) continue;
    let bits = BigInt(mask);
    for (let p = 0; bits > 0n && p < permissions.length; p++, bits >>= 1n) {
      if (bits & 1n) out.push(`org:${orgFeatures[f]}:${permissions[p]}`);
    }
  }
  return out;
}

function isFactorAge(x: unknown): boolean {
  return typeof x === "number" && Number.isFinite(x) && (x === -1 || x >= 0);
}

function factorAge(fva: unknown): FactorVerificationAge | null {
  if (!Array.isArray(fva) || fva.length !== 2) return null;
  return isFactorAge(fva[0]) && isFactorAge(fva[1])
    ? (fva as unknown as FactorVerificationAge)
    : null;
}

function actor(act: unknown): Actor | null {
  if (typeof act !== "object" || act === null) return null;
  return typeof (act as { sub?: unknown }).sub === "string" ? (act as Actor) : null;
}
