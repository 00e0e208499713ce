import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import {
  type AsymmetricAlgorithm,
  isAsymmetricAlgorithm,
  keyFitsAlgorithm,
} from "../jwt/algorithms.js";

/** One public key an issuer signs with. */
export interface VerificationKey {
  /** The JWK `kid`, if the key has one (PEM keys do not). */
  readonly kid: string | undefined;
  /** The JWK `alg` the key is bound to, if it declares one. */
  readonly alg: AsymmetricAlgorithm | undefined;
  /** The imported key, reused for every verification. */
  readonly key: KeyObject;
}

/** A JSON Web Key Set document (RFC 7517 §5). */
export interface JsonWebKeySet {
  keys: readonly unknown[];
}

/**
 * An immutable set of imported keys with the lookup the verifier needs: a token
 * with a `kid` gets the key with that `kid`; a token without one (or whose `kid`
 * only PEM keys could match) gets every kid-less key that fits its algorithm.
 */
export class KeySet {
  readonly size: number;
  // RFC 7517 §4.5 lets keys of different types share a kid, so a kid maps to a list.
  private readonly byKid = new Map<string, VerificationKey[]>();
  private readonly kidless: readonly VerificationKey[];
  private readonly kidlessByAlg = new Map<AsymmetricAlgorithm, readonly VerificationKey[]>();

  constructor(keys: readonly VerificationKey[]) {
    const kidless: VerificationKey[] = [];
    for (const k of keys) {
      if (k.kid === undefined) {
        kidless.push(k);
        continue;
      }
      const list = this.byKid.get(k.kid);
      if (list === undefined) this.byKid.set(k.kid, [k]);
      else list.push(k);
    }
    this.kidless = kidless;
    this.size = keys.length;
  }

  /** Whether a key with this `kid` is in the set. */
  hasKid(kid: string): boolean {
    return this.byKid.has(kid);
  }

  /** The keys that may have signed a token with this `kid` and `alg`. */
  candidates(kid: string | undefined, alg: AsymmetricAlgorithm): readonly VerificationKey[] {
    if (kid !== undefined) {
      const list = this.byKid.get(kid);
      if (list !== undefined) {
        if (list.length === 1) return fits(list[0]!, alg) ? list : NONE;
        return list.filter((k) => fits(k, alg));
      }
    }
    let list = this.kidlessByAlg.get(alg);
    if (list === undefined) {
      list = this.kidless.filter((k) => fits(k, alg));
      this.kidlessByAlg.set(alg, list);
    }
    return list;
  }
}

const NONE: readonly VerificationKey[] = Object.freeze([]);

function fits(k: VerificationKey, alg: AsymmetricAlgorithm): boolean {
  return (k.alg === undefined || k.alg === alg) && keyFitsAlgorithm(k.key, alg);
}

// Members of a public JWK; anything else (notably private `d`, `p`, `q`) is dropped before import.
const PUBLIC_MEMBERS = ["kty", "n", "e", "crv", "x", "y"] as const;

/**
 * Imports the usable signature keys of a JWKS document. Keys meant for
 * encryption (`use: "enc"`), keys whose `key_ops` exclude `verify`, symmetric
 * (`oct`) keys, keys with an unknown `alg` and keys that fail to import are
 * skipped, never trusted.
 */
export function importJwks(document: unknown): VerificationKey[] {
  if (typeof document !== "object" || document === null) return [];
  const keys = (document as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return [];
  const out: VerificationKey[] = [];
  for (const jwk of keys) {
    const key = importJwk(jwk);
    if (key !== undefined) out.push(key);
  }
  return out;
}

function importJwk(value: unknown): VerificationKey | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const jwk = value as Record<string, unknown>;
  if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") return undefined;
  if (jwk.use !== undefined && jwk.use !== "sig") return undefined;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify")))
    return undefined;
  if (jwk.kid !== undefined && typeof jwk.kid !== "string") return undefined;
  if (jwk.alg !== undefined && !isAsymmetricAlgorithm(jwk.alg)) return undefined;
  const material: Record<string, unknown> = {};
  for (const m of PUBLIC_MEMBERS) if (jwk[m] !== undefined) material[m] = jwk[m];
  let key: KeyObject;
  try {
    key = createPublicKey({ key: material as JsonWebKey, format: "jwk" });
  } catch {
    return undefined;
  }
  const alg = jwk.alg as AsymmetricAlgorithm | undefined;
  if (alg !== undefined && !keyFitsAlgorithm(key, alg)) return undefined;
  return Object.freeze({ kid: jwk.kid as string | undefined, alg, key });
}

/**
 * Imports a PEM public key (SPKI or an X.509 certificate), tolerating the
 * forms keys take in environment variables: literal `\n` escapes, or the bare
 * base64 body without the BEGIN/END lines. Returns an error message for a
 * private key or an unreadable one.
 */
export function importPem(pem: string): VerificationKey | string {
  let text = pem.trim().replace(/\\n/g, "\n");
  if (/PRIVATE KEY/.test(text)) return "is a private key; pass the public key (PEM) instead";
  if (!text.startsWith("-----BEGIN")) {
    const body = text.replace(/\s+/g, "");
    text = `-----BEGIN PUBLIC KEY-----\n${body.replace(/.{1,64}/g, "$&\n")}-----END PUBLIC KEY-----\n`;
  }
  try {
    return Object.freeze({ kid: undefined, alg: undefined, key: createPublicKey(text) });
  } catch {
    return "is not a readable PEM public key";
  }
}
