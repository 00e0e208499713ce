import { type Clock, nowSec } from "./clock.js";

/** Clerk session token claim versions: 1 (legacy `org_*` claims) or 2 (compact `o`/`fea`/`pla`). */
export type ClerkSessionTokenVersion = 1 | 2;

/** The active organization of a Clerk session, given the way Clerk's SDKs expose it. */
export interface ClerkOrgOptions {
  /** Organization ID, e.g. `"org_123"`. */
  id: string;
  /**
   * Organization slug.
   * @default no slug claim
   */
  slug?: string;
  /** Role key, Clerk-style with the `org:` prefix (`"org:admin"`); bare `"admin"` works too. */
  role: string;
  /**
   * Permission keys `org:<feature>:<permission>`, e.g. `"org:invoices:read"`.
   * @default []
   */
  permissions?: string[];
}

/** Options for {@link buildClerkClaims} and {@link mintClerkToken}. */
export interface ClerkTokenOptions {
  /**
   * Clerk user ID (`sub`).
   * @default "user_test"
   */
  userId?: string;
  /**
   * Clerk session ID (`sid`).
   * @default "sess_test"
   */
  sessionId?: string;
  /**
   * Frontend API URL of the instance (`iss`).
   * @default "https://clerk.test.local"
   */
  issuer?: string;
  /**
   * Origin of the frontend that requested the token (`azp`).
   * @default "http://localhost:3000"
   */
  azp?: string;
  /**
   * Session token claim version.
   * @default 2
   */
  version?: ClerkSessionTokenVersion;
  /**
   * Active organization.
   * @default no organization claims
   */
  org?: ClerkOrgOptions;
  /**
   * Scoped features (`"o:invoices"`, `"u:beta"`, also `"ou:"`/`"uo:"`) for `fea`. v2 only;
   * ignored by v1. Org features implied by `org.permissions` are added automatically.
   * @default []
   */
  features?: string[];
  /**
   * Scoped plans (`"u:free"`, `"o:pro"`) for `pla`. v2 only; ignored by v1.
   * @default []
   */
  plans?: string[];
  /**
   * Minutes since the first and second factor were last verified; `-1` means never.
   * @default [0, -1]
   */
  fva?: [number, number];
  /**
   * Actor claim of an impersonation session (RFC 8693 `act`).
   * @default no `act` claim
   */
  act?: { sub: string; [k: string]: unknown };
  /**
   * Session status (`sts`). v2 only; ignored by v1.
   * @default no `sts` claim
   */
  sts?: "active" | "pending";
  /**
   * Custom claims, merged last so they can override any claim above; a key set to
   * `undefined` removes that claim from the token (e.g. `{ azp: undefined }`).
   * @default {}
   */
  claims?: Record<string, unknown>;
  /**
   * Lifetime in seconds: `exp = iat + expiresInSec`. Negative values mint an expired token.
   * @default 60
   */
  expiresInSec?: number;
  /**
   * Clock that supplies `iat`.
   * @default the system clock (`Date.now`)
   */
  clock?: Clock;
  /**
   * JWS header members merged over `{ alg, kid, typ: "JWT" }` (used by {@link mintClerkToken}).
   * @default {}
   */
  header?: Record<string, unknown>;
}

const PERMISSION_KEY = /^org:([^:,\s]+):([^:,\s]+)$/;
const SCOPED_ENTRY = /^(o|u|ou|uo):([^:,\s]+)$/;
const ORG_SCOPES = new Set(["o", "ou", "uo"]);
/** Clerk sets `nbf` 10 seconds before `iat` to absorb clock skew. */
const NBF_LEEWAY_SEC = 10;

function fail(message: string): never {
  throw new TypeError(`buildClerkClaims: ${message}`);
}

function assertString(name: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value.length === 0) fail(`${name} must be a non-empty string`);
}

function scopedList(name: string, entries: readonly string[] | undefined): string[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) fail(`${name} must be an array`);
  const out: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== "string" || !SCOPED_ENTRY.test(entry)) {
      fail(`${name} entry ${JSON.stringify(entry)} must look like "o:name", "u:name", "ou:name"`);
    }
    if (!out.includes(entry)) out.push(entry);
  }
  return out;
}

/** Names of the org-scoped `fea` entries, in order, as Clerk's `splitByScope` reads them. */
function orgFeatureNames(fea: readonly string[]): string[] {
  const names: string[] = [];
  for (const entry of fea) {
    const colon = entry.indexOf(":");
    if (ORG_SCOPES.has(entry.slice(0, colon))) names.push(entry.slice(colon + 1));
  }
  return names;
}

interface ParsedOrg {
  id: string;
  slug: string | undefined;
  /** Role without the `org:` prefix. */
  role: string;
  permissionKeys: string[];
  /** Feature name → permission names, both in first-seen order. */
  byFeature: Map<string, string[]>;
}

function parseOrg(org: ClerkOrgOptions): ParsedOrg {
  if (typeof org !== "object" || org === null) fail("org must be an object");
  assertString("org.id", org.id);
  if (org.slug !== undefined) assertString("org.slug", org.slug);
  assertString("org.role", org.role);
  const role = org.role.startsWith("org:") ? org.role.slice("org:".length) : org.role;
  if (!/^[^:,\s]+$/.test(role)) fail(`org.role ${JSON.stringify(org.role)} is not a role key`);
  const permissionKeys: string[] = [];
  const byFeature = new Map<string, string[]>();
  for (const key of org.permissions ?? []) {
    const match = typeof key === "string" ? PERMISSION_KEY.exec(key) : null;
    if (!match) fail(`org permission ${JSON.stringify(key)} must look like "org:<feature>:<perm>"`);
    if (permissionKeys.includes(key)) continue;
    permissionKeys.push(key);
    const feature = match[1]!;
    const permission = match[2]!;
    const perms = byFeature.get(feature) ?? [];
    perms.push(permission);
    byFeature.set(feature, perms);
  }
  return { id: org.id, slug: org.slug, role, permissionKeys, byFeature };
}

/**
 * Encode an org for a v2 token: `o.per` lists distinct permission names; `o.fpm` holds one
 * decimal bitmask per org-scoped `fea` entry, bit i (value `1 << i`) meaning "has `per[i]`".
 */
function encodeOrgV2(org: ParsedOrg, fea: string[]): Record<string, unknown> {
  const present = new Set(orgFeatureNames(fea));
  for (const feature of org.byFeature.keys()) {
    if (!present.has(feature)) fea.push(`o:${feature}`);
  }
  const per: string[] = [];
  for (const perms of org.byFeature.values()) {
    for (const p of perms) if (!per.includes(p)) per.push(p);
  }
  const o: Record<string, unknown> = { id: org.id, rol: org.role };
  if (org.slug !== undefined) o.slg = org.slug;
  if (per.length > 0) {
    o.per = per.join(",");
    // BigInt: more than 31 distinct permissions must not overflow `1 << i`.
    o.fpm = orgFeatureNames(fea)
      .map((feature) => {
        let mask = 0n;
        for (const p of org.byFeature.get(feature) ?? []) mask |= 1n << BigInt(per.indexOf(p));
        return mask.toString(10);
      })
      .join(",");
  }
  return sortKeys(o);
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * Build the claims set of a Clerk session token (v1 or v2), without signing it.
 *
 * Encodes exactly as Clerk does: `nbf = iat - 10`; v1 carries `org_id`, `org_slug`,
 * `org_role`, `org_permissions`; v2 carries `v: 2`, `o: { id, slg, rol, per, fpm }`, `fea`,
 * `pla` and `sts`. Claims are emitted in alphabetical order, as Clerk does. Useful with
 * {@link signRawJwt} to forge Clerk-shaped tokens.
 *
 * @param options - Session, organization and billing shape of the token.
 * @returns A fresh claims object.
 * @throws TypeError on malformed options (bad permission key, unscoped feature, bad `fva`).
 * @see https://clerk.com/docs/guides/sessions/session-tokens
 * @example
 * ```ts
 * const claims = buildClerkClaims({
 *   org: { id: "org_1", role: "org:admin", permissions: ["org:invoices:read"] },
 * });
 * // claims.o → { fpm: "1", id: "org_1", per: "read", rol: "admin" }; claims.fea → "o:invoices"
 * ```
 */
export function buildClerkClaims(options: ClerkTokenOptions = {}): Record<string, unknown> {
  const version = options.version ?? 2;
  if (version !== 1 && version !== 2) fail("version must be 1 or 2");
  const sub = options.userId ?? "user_test";
  const sid = options.sessionId ?? "sess_test";
  const iss = options.issuer ?? "https://clerk.test.local";
  const azp = options.azp ?? "http://localhost:3000";
  assertString("userId", sub);
  assertString("sessionId", sid);
  assertString("issuer", iss);
  assertString("azp", azp);
  const expiresInSec = options.expiresInSec ?? 60;
  if (typeof expiresInSec !== "number" || !Number.isFinite(expiresInSec)) {
    fail("expiresInSec must be a finite number");
  }
  const fva = options.fva ?? [0, -1];
  if (
    !Array.isArray(fva) ||
    fva.length !== 2 ||
    !fva.every((age) => Number.isInteger(age) && age >= -1)
  ) {
    fail("fva must be [firstFactorMinutes, secondFactorMinutes], integers >= -1");
  }
  if (options.act !== undefined) {
    if (typeof options.act !== "object" || options.act === null) fail("act must be an object");
    assertString("act.sub", options.act.sub);
  }
  if (options.sts !== undefined && options.sts !== "active" && options.sts !== "pending") {
    fail('sts must be "active" or "pending"');
  }
  const features = scopedList("features", options.features);
  const plans = scopedList("plans", options.plans);
  const org = options.org === undefined ? undefined : parseOrg(options.org);

  const iat = nowSec(options.clock);
  const claims: Record<string, unknown> = {
    azp,
    exp: iat + expiresInSec,
    fva: [fva[0], fva[1]],
    iat,
    iss,
    nbf: iat - NBF_LEEWAY_SEC,
    sid,
    sub,
  };
  if (options.act !== undefined) claims.act = { ...options.act };

  if (version === 1) {
    if (org) {
      claims.org_id = org.id;
      if (org.slug !== undefined) claims.org_slug = org.slug;
      claims.org_role = `org:${org.role}`;
      claims.org_permissions = [...org.permissionKeys];
    }
  } else {
    claims.v = 2;
    const fea = [...features];
    if (org) claims.o = encodeOrgV2(org, fea);
    if (fea.length > 0) claims.fea = fea.join(",");
    if (plans.length > 0) claims.pla = plans.join(",");
    if (options.sts !== undefined) claims.sts = options.sts;
  }
  return { ...sortKeys(claims), ...options.claims };
}
