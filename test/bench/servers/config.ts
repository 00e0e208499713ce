/** What the HTTP bench passes to a server child (as JSON in `BENCH_SERVER_CONFIG`). */
export interface ServerConfig {
  /** SPKI PEM public key of the token issuer (Clerk's `CLERK_JWT_KEY`). */
  readonly pem: string;
  /** JWKS URL on 127.0.0.1 serving the same key (for express-oauth2-jwt-bearer). */
  readonly jwksUri: string;
  /** Gatehouse: verified-token cache on (warm) or off (cold). */
  readonly cache?: boolean;
  /** express-jwt: how the key is given. */
  readonly keyForm?: "pem" | "keyobject";
}

/** What a server module exports: a request listener built once at start-up. */
export type CreateListener = (config: ServerConfig) => Promise<import("node:http").RequestListener>;

/** The route every server answers: `GET /` → 200 `{"userId":"…"}`. */
export const ROUTE = "/";
