import {
  constants,
  createHmac,
  createPrivateKey,
  KeyObject,
  type SignKeyObjectInput,
  sign,
} from "node:crypto";

/** Algorithms {@link signRawJwt} can sign with. `none` produces an empty signature. */
export type RawJwtAlgorithm =
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA"
  | "Ed25519"
  | "HS256"
  | "HS384"
  | "HS512"
  | "none";

/** Options for {@link signRawJwt}: `header` or `headerSegment`, `payload` or `payloadSegment`. */
export interface SignRawJwtOptions {
  /**
   * JOSE header, serialised with `JSON.stringify` and base64url-encoded.
   * @default none; required unless `headerSegment` is given
   */
  header?: Record<string, unknown>;
  /**
   * Claims (any JSON value), serialised with `JSON.stringify` and base64url-encoded.
   * @default none; required unless `payloadSegment` is given
   */
  payload?: unknown;
  /**
   * Header segment used verbatim (already encoded, or deliberately not), overriding `header`.
   * Lets a test craft duplicate members, a BOM, padding or non-canonical base64url.
   * @default base64url(JSON.stringify(header))
   */
  headerSegment?: string;
  /**
   * Payload segment used verbatim, overriding `payload`.
   * @default base64url(JSON.stringify(payload))
   */
  payloadSegment?: string;
  /**
   * Signing key: a private `KeyObject` or PEM for RS/PS/ES/EdDSA; a secret (`KeyObject`,
   * string or bytes) for HS*. Any bytes work as an HS secret, e.g. a public key PEM to test
   * algorithm confusion. Ignored for `none`.
   * @default none; required unless `alg` is `none`
   */
  key?: KeyObject | string | Uint8Array;
  /**
   * Algorithm used to compute the signature, independent of what the header claims.
   * @default header.alg
   */
  alg?: RawJwtAlgorithm;
}

/**
 * Encode bytes, or a string as UTF-8, as unpadded base64url.
 *
 * @param input - Bytes or text.
 * @returns base64url text without `=` padding.
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 * @example
 * ```ts
 * base64url('{"alg":"none"}'); // "eyJhbGciOiJub25lIn0"
 * ```
 */
export function base64url(input: string | Uint8Array): string {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input);
  return bytes.toString("base64url");
}

const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

function hashOf(alg: string): string {
  const hash = HASH[alg.slice(2)];
  if (!hash) throw new TypeError(`signRawJwt: unsupported alg ${JSON.stringify(alg)}`);
  return hash;
}

function asymmetricKey(key: SignRawJwtOptions["key"]): KeyObject {
  if (key instanceof KeyObject) return key;
  if (typeof key === "string") return createPrivateKey(key);
  throw new TypeError("signRawJwt: this alg needs a private KeyObject or PEM string as key");
}

function signature(alg: string, input: Buffer, key: SignRawJwtOptions["key"]): Buffer {
  if (alg === "none") return Buffer.alloc(0);
  if (key === undefined) throw new TypeError(`signRawJwt: alg ${alg} needs a key`);
  if (alg.startsWith("HS")) {
    const secret = key instanceof KeyObject || typeof key === "string" ? key : Buffer.from(key);
    return createHmac(hashOf(alg), secret).update(input).digest();
  }
  if (alg === "EdDSA" || alg === "Ed25519") return sign(null, input, asymmetricKey(key));
  const signKey: SignKeyObjectInput = { key: asymmetricKey(key) };
  if (alg.startsWith("PS")) {
    signKey.padding = constants.RSA_PKCS1_PSS_PADDING;
    signKey.saltLength = constants.RSA_PSS_SALTLEN_DIGEST;
  } else if (alg.startsWith("ES")) {
    signKey.dsaEncoding = "ieee-p1363";
  } else if (!alg.startsWith("RS")) {
    throw new TypeError(`signRawJwt: unsupported alg ${JSON.stringify(alg)}`);
  }
  return sign(hashOf(alg), input, signKey);
}

/**
 * Sign exactly the given header and payload, synchronously, with no checks: a forging tool
 * for security tests (alg confusion, `none`, duplicate members, odd encodings).
 *
 * The signing input is the UTF-8 bytes of `headerSegment + "." + payloadSegment` as given;
 * ES* signatures use the JWS `R || S` (IEEE P1363) encoding; `none` yields `header.payload.`
 * (an empty signature).
 *
 * @param options - Header/payload (or verbatim segments), key and algorithm.
 * @returns The compact JWS.
 * @throws TypeError when the algorithm is missing or unsupported or a key is missing.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.1 (JWS signing)
 * @see https://www.rfc-editor.org/rfc/rfc8725 (JWT best current practices)
 * @example
 * ```ts
 * const keys = generateTestKeys();
 * // HS256 "signed" with the RSA public key as HMAC secret: must be rejected.
 * const forged = signRawJwt({
 *   header: { alg: "HS256", kid: keys.kid, typ: "JWT" },
 *   payload: { sub: "attacker" },
 *   key: keys.publicKeyPem,
 * });
 * ```
 */
export function signRawJwt(options: SignRawJwtOptions): string {
  const { header, payload, headerSegment, payloadSegment, key } = options;
  if (headerSegment === undefined && header === undefined) {
    throw new TypeError("signRawJwt: give header or headerSegment");
  }
  if (payloadSegment === undefined && payload === undefined) {
    throw new TypeError("signRawJwt: give payload or payloadSegment");
  }
  const alg = options.alg ?? header?.alg;
  if (typeof alg !== "string") {
    throw new TypeError("signRawJwt: give alg (or a header with a string alg)");
  }
  const h = headerSegment ?? base64url(JSON.stringify(header));
  const p = payloadSegment ?? base64url(JSON.stringify(payload));
  const sig = signature(alg, Buffer.from(`${h}.${p}`, "utf8"), key);
  return `${h}.${p}.${sig.toString("base64url")}`;
}
