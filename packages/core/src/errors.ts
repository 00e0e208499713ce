/**
 * Every stable error code Gatehouse core can produce, with the HTTP status an
 * adapter answers with. Callers match on `code`, never on the message.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8725 JWT Best Current Practices
 */
export const ERROR_STATUS = {
  /** Gatehouse is misconfigured: bad factory options (thrown at start-up), or middleware mounted wrongly. */
  config_invalid: 500,
  /** No credential was presented. */
  token_missing: 401,
  /** The token is longer than `maxTokenBytes`. */
  token_too_large: 401,
  /** The token is not three non-empty dot-separated segments. */
  token_malformed: 401,
  /** A segment is not canonical unpadded base64url (RFC 7515 §2). */
  token_base64_invalid: 401,
  /** A decoded segment is not valid UTF-8. */
  token_utf8_invalid: 401,
  /** A decoded segment starts with a byte-order mark. */
  token_json_bom: 401,
  /** A decoded segment is not valid JSON. */
  token_json_invalid: 401,
  /** A member name is spelled with an escape sequence (`"\u0073ub"`): a parser-differential vector. */
  token_json_escaped_name: 401,
  /** A JSON object in the header or payload repeats a member name (RFC 7515 §5.2). */
  token_json_duplicate_key: 401,
  /** The header or payload is valid JSON but not an object. */
  token_not_object: 401,
  /** `alg: none` (in any casing): unsecured tokens are never accepted. */
  alg_none: 401,
  /** The `alg` is missing, unknown, or not allowed for the issuer. */
  alg_not_allowed: 401,
  /** An HMAC `alg` was presented to an issuer that has public keys (algorithm confusion). */
  alg_confusion: 401,
  /** The header carries `jwk`, `jku`, `x5u` or `x5c`: keys are never taken from the token. */
  header_embedded_key: 401,
  /** The header lists a `crit` extension this verifier does not understand. */
  header_crit_unsupported: 401,
  /** The header `typ` is not the one the issuer expects. */
  header_typ_invalid: 401,
  /** No key of the issuer matches the token's `kid` (after a bounded refresh). */
  kid_unknown: 401,
  /** The signature does not verify with the issuer's key. */
  signature_invalid: 401,
  /** `exp` is in the past (beyond the clock skew). */
  token_expired: 401,
  /** `nbf` is in the future (beyond the clock skew). */
  token_not_yet_valid: 401,
  /** `iat` is in the future (beyond the clock skew). */
  token_issued_in_future: 401,
  /** A registered claim is missing or has the wrong type (`exp`, `sub`, `nbf`, `iat`, ...). */
  claim_invalid: 401,
  /** No configured issuer matches the token's `iss`. */
  issuer_unknown: 401,
  /** `aud` does not contain the expected audience. */
  audience_invalid: 401,
  /** `azp` is not one of the authorized parties (or missing on a cookie token). */
  azp_invalid: 401,
  /** The session is pending (`sts: "pending"`) and pending sessions are not accepted. */
  session_pending: 401,
  /** The issuer's JWKS could not be fetched and no usable key is cached. */
  jwks_unavailable: 503,
  /** The caller is signed in but lacks the required authorization. */
  forbidden: 403,
  /** The session was signed out or revoked (its tokens are refused on every instance within seconds). */
  session_revoked: 401,
  /** The session ended: idle for longer than its inactivity timeout, or past its absolute lifetime. */
  session_expired: 401,
  /** The refresh token is unknown, malformed, tampered with or truncated. */
  refresh_token_invalid: 401,
  /** A refresh token that was already rotated was presented again: the session is revoked (theft detection). */
  refresh_token_reused: 401,
  /** The user already has the maximum number of sessions and the policy refuses new ones. */
  session_limit_reached: 409,
  /** The API key is unknown, malformed, or belongs to another app. */
  api_key_invalid: 401,
  /** The API key is past its expiry (or the end of its rotation overlap). */
  api_key_expired: 401,
  /** The API key was revoked. */
  api_key_revoked: 401,
  /** The credential is valid but lacks a required scope (RFC 6750 §3.1 `insufficient_scope`). */
  scope_missing: 403,
  /** A state-changing request came from another site (CSRF protection). */
  csrf_rejected: 403,
  /** The request is well-formed but its input is not acceptable (names the field). */
  input_invalid: 400,
  /** The resource does not exist or is not yours. */
  not_found: 404,
  /** A webhook lacks its id, timestamp or signature header (Svix `svix-*` or Standard Webhooks `webhook-*`). */
  webhook_headers_missing: 400,
  /** A webhook timestamp is not a whole number of seconds. */
  webhook_timestamp_invalid: 400,
  /** A webhook timestamp is outside the tolerance (too old: a replay; too new: a skewed sender). */
  webhook_timestamp_expired: 400,
  /** No webhook signature matches the body under any configured secret. */
  webhook_signature_invalid: 400,
  /** A webhook body is larger than the configured limit. */
  webhook_body_too_large: 413,
  /** A webhook body is not a JSON object (or does not fit the event's schema). */
  webhook_body_invalid: 400,
  /** A JSON body parser ran before the webhook route, so the raw bytes the signature covers are gone. */
  webhook_body_parsed: 500,
  /** The same webhook message is being processed right now; the sender should retry later. */
  webhook_in_progress: 409,
  /** A webhook handler failed; the message id was released so the sender's retry runs it again. */
  webhook_handler_failed: 500,
  /** A webhook endpoint URL is not allowed (private, loopback, link-local or metadata address; not http(s)). */
  webhook_url_forbidden: 400,
  /** The storage backend is down, timed out, or (memory stores) full. Retry later. */
  store_unavailable: 503,
  /** An update named an `expectedVersion` that is no longer current (optimistic concurrency). */
  store_conflict: 409,
  /** A write would break a `unique` field of the model. */
  store_duplicate: 409,
  /** The record to update does not exist. */
  store_not_found: 404,
  /** A key, value, record or query does not fit the store contract or the model's schema. */
  store_invalid: 500,
} as const satisfies Record<string, number>;

/** A stable, machine-readable Gatehouse error code. */
export type GatehouseErrorCode = keyof typeof ERROR_STATUS;

const BRAND = Symbol.for("gatehouse.error");

/** Options accepted by {@link GatehouseError}. */
export interface GatehouseErrorOptions {
  /** The underlying error, kept for logs (ES2022 `cause`). */
  cause?: unknown;
  /** Overrides the HTTP status implied by the code. */
  status?: number;
}

/**
 * The one error class of Gatehouse. `message` is safe to show to a client: it
 * never contains a credential.
 *
 * @example
 * ```ts
 * try { await verifier.verify(token) }
 * catch (err) { if (isGatehouseError(err) && err.code === "token_expired") refresh() }
 * ```
 */
export class GatehouseError extends Error {
  /** Stable machine-readable code; match on this. */
  readonly code: GatehouseErrorCode;
  /** HTTP status an adapter answers with. */
  readonly status: number;

  constructor(code: GatehouseErrorCode, message: string, options: GatehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Whether `value` is a {@link GatehouseError}, also across duplicate copies of
 * this package (where `instanceof` fails).
 */
export function isGatehouseError(value: unknown): value is GatehouseError {
  return (
    typeof value === "object" &&
    value !== null &&
    ((value as Record<symbol, unknown>)[BRAND] === true || value instanceof GatehouseError)
  );
}

/** Throws a `config_invalid` error naming the factory and the option. */
export function configError(factory: string, message: string): never {
  throw new GatehouseError("config_invalid", `${factory}: ${message}`);
}

/**
 * The storage backend cannot serve the operation (down, timed out, full).
 * Guards fail closed on it; adapters answer 503. Match on `code === "store_unavailable"`.
 */
export class StoreUnavailableError extends GatehouseError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("store_unavailable", message, options);
  }
}
