/**
 * The per-request cost of session credentials, in-process:
 *
 * - cold: a verifier with `cache: false` over `sessions.issuer()` (whose revocation check
 *   runs on every call) verifying a pool of distinct access tokens round-robin through
 *   `authenticateSync`, next to a bare `crypto.verify` of the same tokens with the same key;
 * - warm: a verifier with the default cache over `sessions.issuer()` and
 *   `sessions.apiKeyIssuer()`, authenticating one API key and one access token it has seen.
 *
 * Every call's result is checked (signed in); a row with any other answer is FAILED.
 */
import { createVerifier, type RequestLike, type Verifier } from "@gatehouse/core";
import type { Sessions } from "@gatehouse/sessions";
import { type Algorithm, publicKeyOf, rawVerifier, signIn, userIdOf } from "./fixtures.js";
import { compareSync, type Rate } from "./harness.js";

type Timing = { rounds: number; msPerRound: number; warmupMs: number };

const bearer = (token: string): RequestLike => ({
  headers: { authorization: `Bearer ${token}` },
});

/** Issues `count` distinct access tokens, one per session; token `n` belongs to `userIdOf(n)`. */
export async function issuePool(sessions: Sessions, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let n = 0; n < count; n++) tokens.push((await sessions.create(signIn(n))).accessToken);
  return tokens;
}

/**
 * Proves the measured verifier runs the revocation check: an access token (and, when the
 * verifier trusts API keys, a key) it has accepted — and, with a cache, cached — is refused
 * synchronously once revoked.
 */
async function expectRevocationChecked(
  sessions: Sessions,
  verifier: Verifier,
  label: string,
  withApiKeys: boolean,
): Promise<void> {
  const { accessToken, session } = await sessions.create(signIn(99_999_999));
  const credentials: [RequestLike, string][] = [[bearer(accessToken), "session_revoked"]];
  if (withApiKeys) {
    const { key, apiKey } = await sessions.apiKeys.create({ subject: "user_revoked", name: "x" });
    credentials.push([bearer(key), "api_key_revoked"]);
    await verifier.authenticate(credentials[1]![0]);
    await sessions.apiKeys.revoke(apiKey.id);
  }
  const before = await verifier.authenticate(credentials[0]![0]);
  if (!before.isSignedIn) throw new Error(`${label}: a fresh access token was refused`);
  await sessions.revoke(session.id);
  for (const [req, reason] of credentials) {
    const auth = verifier.authenticateSync(req);
    if (auth?.isSignedIn !== false || auth.reason !== reason) {
      throw new Error(`${label}: a revoked credential was not refused with ${reason}`);
    }
  }
}

/** Rates of the cold comparison of one algorithm. */
export interface ColdResult {
  readonly alg: Algorithm;
  readonly raw: Rate;
  readonly cold: Rate;
}

/**
 * Cold verification of `tokens` (issued by `sessions`) against the raw signature check of
 * the same tokens, interleaved round by round.
 */
export async function runColdBench(
  alg: Algorithm,
  sessions: Sessions,
  tokens: readonly string[],
  timing: Timing,
): Promise<ColdResult> {
  const verifier = createVerifier({ issuers: [sessions.issuer()], cache: false });
  const requests = tokens.map(bearer);
  // The first call loads the JWKS and the revocation list; every later one is synchronous.
  const first = await verifier.authenticate(requests[0]!);
  if (!first.isSignedIn) throw new Error(`${alg} cold: not signed in (${first.reason})`);
  requests.forEach((req, n) => {
    const auth = verifier.authenticateSync(req);
    if (auth?.isSignedIn !== true || auth.userId !== userIdOf(n) || auth.sessionId === null) {
      throw new Error(`${alg} cold: token ${n} did not authenticate synchronously`);
    }
  });
  await expectRevocationChecked(sessions, verifier, alg, false);
  const raw = rawVerifier(alg, await publicKeyOf(sessions));
  for (const token of tokens) if (!raw(token)) throw new Error(`${alg} raw: a token fails`);

  const size = tokens.length;
  const rates = await compareSync(
    [
      { id: "raw", op: (i) => raw(tokens[i % size]!) },
      {
        id: "cold",
        op: (i) => verifier.authenticateSync(requests[i % size]!)?.isSignedIn === true,
        before: async () => {
          await verifier.authenticate(requests[0]!);
        },
      },
    ],
    timing,
  );
  return { alg, raw: rates.get("raw")!, cold: rates.get("cold")! };
}

/** Rates of the warm comparison. */
export interface WarmResult {
  readonly jwt: Rate;
  readonly apiKey: Rate;
  readonly apiKeyBytes: number;
  readonly jwtBytes: number;
}

/** One API key and one access token through a verifier with the default cache, both warm. */
export async function runWarmBench(
  sessions: Sessions,
  accessToken: string,
  timing: Timing,
): Promise<WarmResult> {
  const verifier = createVerifier({ issuers: [sessions.issuer(), sessions.apiKeyIssuer()] });
  const { key } = await sessions.apiKeys.create({
    subject: "user_bench_api",
    name: "bench",
    scopes: ["invoices:read"],
  });
  const jwtReq = bearer(accessToken);
  const keyReq = bearer(key);
  // authenticate() once each: resolves the key from the store, fills the cache.
  for (const [label, req] of [
    ["access token", jwtReq],
    ["API key", keyReq],
  ] as const) {
    const auth = await verifier.authenticate(req);
    if (!auth.isSignedIn) throw new Error(`warm ${label}: not signed in (${auth.reason})`);
    const again = verifier.authenticateSync(req);
    if (again?.isSignedIn !== true) throw new Error(`warm ${label}: not served synchronously`);
  }
  await expectRevocationChecked(sessions, verifier, "warm", true);
  const apiKeyAuth = verifier.authenticateSync(keyReq);
  if (apiKeyAuth?.isSignedIn !== true || apiKeyAuth.tokenType !== "api_key") {
    throw new Error("warm API key: not authenticated as an API key");
  }
  const rates = await compareSync(
    [
      { id: "jwt", op: () => verifier.authenticateSync(jwtReq)?.isSignedIn === true },
      { id: "apiKey", op: () => verifier.authenticateSync(keyReq)?.isSignedIn === true },
    ],
    timing,
  );
  return {
    jwt: rates.get("jwt")!,
    apiKey: rates.get("apiKey")!,
    apiKeyBytes: key.length,
    jwtBytes: accessToken.length,
  };
}
