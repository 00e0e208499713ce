import {
  type AuthorizationCheck,
  type AuthorizationFacts,
  checkAuthorization,
} from "./authorization.js";
import type { Actor, FactorVerificationAge, SessionClaims } from "./claims.js";
import type { GatehouseErrorCode } from "./errors.js";

/**
 * What kind of credential produced a context: a session token (Clerk's, or a
 * Gatehouse access token), another issuer's JWT, or an API key.
 */
export type TokenType = "session_token" | "jwt" | "api_key";

/** Where the credential was read from. */
export type CredentialSource = "header" | "cookie";

/** The fields of a signed-in context, as issuers produce them. */
export interface SignedInFields {
  readonly userId: string;
  readonly sessionId: string | null;
  readonly sessionStatus: "active" | "pending" | null;
  readonly orgId: string | null;
  readonly orgRole: string | null;
  readonly orgSlug: string | null;
  readonly orgPermissions: readonly string[] | null;
  readonly features: string | null;
  readonly plans: string | null;
  readonly factorVerificationAge: FactorVerificationAge | null;
  readonly actor: Actor | null;
  readonly tokenType: TokenType;
  readonly issuer: string;
  readonly claims: Readonly<SessionClaims>;
  /** Scopes the credential grants (API keys); `null` when the credential is not scoped. @default null */
  readonly scopes?: readonly string[] | null;
}

/**
 * Who is calling, once their token verified. Immutable: a cached context is
 * shared by every request that presents the same token.
 */
export interface SignedInAuthContext extends SignedInFields {
  readonly isSignedIn: true;
  readonly reason: null;
  /** Scopes the credential grants (API keys); `null` when the credential is not scoped. */
  readonly scopes: readonly string[] | null;
  /**
   * Whether the session satisfies an authorization check (Clerk's `has()`
   * semantics: every dimension given must pass; fails closed).
   *
   * @example
   * ```ts
   * auth.has({ permission: "org:invoices:read" });
   * auth.has({ role: "admin", reverification: "strict" });
   * ```
   */
  has(check: AuthorizationCheck): boolean;
}

/**
 * An anonymous request: the same shape as {@link SignedInAuthContext}, with
 * `userId: null` and a machine-readable `reason` (`token_missing` when no
 * credential was sent, otherwise why the credential was refused).
 */
export interface SignedOutAuthContext {
  readonly isSignedIn: false;
  readonly userId: null;
  readonly sessionId: null;
  readonly sessionStatus: null;
  readonly orgId: null;
  readonly orgRole: null;
  readonly orgSlug: null;
  readonly orgPermissions: null;
  readonly features: null;
  readonly plans: null;
  readonly factorVerificationAge: null;
  readonly actor: null;
  readonly tokenType: null;
  readonly issuer: null;
  readonly claims: null;
  readonly scopes: null;
  /** Why the request is signed out. */
  readonly reason: GatehouseErrorCode;
  /** A client-safe sentence explaining `reason` (never contains the credential). */
  readonly message: string;
  /** Always false. */
  has(check: AuthorizationCheck): false;
}

/** The authentication state of a request. Narrow on `isSignedIn`. */
export type AuthContext = SignedInAuthContext | SignedOutAuthContext;

class SignedIn implements SignedInAuthContext {
  readonly isSignedIn = true as const;
  readonly reason = null;
  readonly userId: string;
  readonly sessionId: string | null;
  readonly sessionStatus: "active" | "pending" | null;
  readonly orgId: string | null;
  readonly orgRole: string | null;
  readonly orgSlug: string | null;
  readonly orgPermissions: readonly string[] | null;
  readonly features: string | null;
  readonly plans: string | null;
  readonly factorVerificationAge: FactorVerificationAge | null;
  readonly actor: Actor | null;
  readonly tokenType: TokenType;
  readonly issuer: string;
  readonly claims: Readonly<SessionClaims>;
  readonly scopes: readonly string[] | null;

  constructor(f: SignedInFields) {
    this.userId = f.userId;
    this.sessionId = f.sessionId;
    this.sessionStatus = f.sessionStatus;
    this.orgId = f.orgId;
    this.orgRole = f.orgRole;
    this.orgSlug = f.orgSlug;
    this.orgPermissions = f.orgPermissions;
    this.features = f.features;
    this.plans = f.plans;
    this.factorVerificationAge = f.factorVerificationAge;
    this.actor = f.actor;
    this.tokenType = f.tokenType;
    this.issuer = f.issuer;
    this.claims = f.claims;
    this.scopes = f.scopes ?? null;
    Object.freeze(this);
  }

  has(check: AuthorizationCheck): boolean {
    return checkAuthorization(this as AuthorizationFacts, check);
  }
}

class SignedOut implements SignedOutAuthContext {
  readonly isSignedIn = false as const;
  readonly userId = null;
  readonly sessionId = null;
  readonly sessionStatus = null;
  readonly orgId = null;
  readonly orgRole = null;
  readonly orgSlug = null;
  readonly orgPermissions = null;
  readonly features = null;
  readonly plans = null;
  readonly factorVerificationAge = null;
  readonly actor = null;
  readonly tokenType = null;
  readonly issuer = null;
  readonly claims = null;
  readonly scopes = null;

  constructor(
    readonly reason: GatehouseErrorCode,
    readonly message: string,
  ) {
    Object.freeze(this);
  }

  has(_check: AuthorizationCheck): false {
    return false;
  }
}

/** Builds an immutable signed-in context (for issuers; apps get contexts from the verifier). */
export function signedIn(fields: SignedInFields): SignedInAuthContext {
  return new SignedIn(fields);
}

const NO_CREDENTIAL = new SignedOut("token_missing", "No credential was presented.");

/** Builds an immutable signed-out context with a reason. */
export function signedOut(
  reason: GatehouseErrorCode = "token_missing",
  message?: string,
): SignedOutAuthContext {
  if (reason === "token_missing" && message === undefined) return NO_CREDENTIAL;
  return new SignedOut(reason, message ?? "The credential was not accepted.");
}

/** Freezes a parsed JSON value and everything in it, so shared contexts cannot be altered. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
