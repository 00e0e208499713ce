import {
  createFakeClock,
  type FakeClock,
  generateTestKeys,
  type JwksServer,
  type MintTokenOptions,
  mintClerkToken,
  mintToken,
  nowSec,
  serveJwks,
  signRawJwt,
} from "@gatehouse/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuthContext, SignedInAuthContext } from "./auth-context.js";
import { type GatehouseErrorCode, isGatehouseError } from "./errors.js";
import { clerk } from "./issuers/clerk.js";
import { jwks } from "./issuers/jwks.js";
import { createVerifier, type Verifier } from "./verifier.js";

const ISS = "https://clerk.test.local";
const APP = "http://localhost:3000";
const OIDC = "https://auth.example.test/";
const PK = `pk_test_${Buffer.from("clerk.test.local$").toString("base64")}`;

const rsa = generateTestKeys({ kid: "rsa-1" });
const rsa2 = generateTestKeys({ kid: "rsa-2" });
const stranger = generateTestKeys({ kid: "stranger" });
const es = generateTestKeys({ alg: "ES256", kid: "es-1" });
const ed = generateTestKeys({ alg: "EdDSA", kid: "ed-1" });
const ps = generateTestKeys({ alg: "PS256", kid: "ps-1" });

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Awaits a rejection and checks its stable code (callers match on `code`, never the message). */
async function refused(promise: Promise<unknown>, code: GatehouseErrorCode, status = 401) {
  const err = await promise.then(
    () => {
      throw new Error(`expected a ${code} refusal, but the token was accepted`);
    },
    (e: unknown) => e,
  );
  expect(isGatehouseError(err), String(err)).toBe(true);
  expect(err).toMatchObject({ name: "GatehouseError", code, status });
  return err as Error;
}

function configFails(build: () => unknown, ...mentions: string[]) {
  let thrown: unknown;
  try {
    build();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, "expected a config_invalid error").toMatchObject({
    code: "config_invalid",
    status: 500,
  });
  for (const m of mentions) expect((thrown as Error).message).toContain(m);
  return thrown as Error;
}

function signedInOf(auth: AuthContext): SignedInAuthContext {
  if (!auth.isSignedIn) throw new Error(`expected signed in, got ${auth.reason}`);
  return auth;
}

function clerkVerifier(
  clock: FakeClock,
  options: Parameters<typeof clerk>[0] = { jwtKey: rsa.publicKeyPem },
  extra: Omit<Parameters<typeof createVerifier>[0], "issuers"> = {},
): Verifier {
  return createVerifier({ issuers: [clerk(options)], clock, ...extra });
}

describe("createVerifier with a clerk() issuer: key sources", () => {
  it("verifies a Clerk token against the PEM jwtKey, networklessly, and maps the session", async () => {
    const clock = createFakeClock();
    const verifier = clerkVerifier(clock);
    const token = await mintClerkToken(rsa, { clock, userId: "user_42", sessionId: "sess_42" });
    const ctx = await verifier.verify(token);
    expect(ctx).toMatchObject({
      isSignedIn: true,
      reason: null,
      userId: "user_42",
      sessionId: "sess_42",
      issuer: ISS,
      tokenType: "session_token",
      factorVerificationAge: [0, -1],
    });
    expect(ctx.claims.sub).toBe("user_42");
    expect(ctx.claims.azp).toBe(APP);
  });

  it("accepts the PEM with literal \\n escapes, as it arrives from an env file", async () => {
    const clock = createFakeClock();
    const escaped = rsa.publicKeyPem.replace(/\n/g, "\\n");
    expect(escaped).not.toContain("\n");
    const verifier = clerkVerifier(clock, { jwtKey: escaped });
    await expect(verifier.verify(await mintClerkToken(rsa, { clock }))).resolves.toMatchObject({
      userId: "user_test",
    });
  });

  it("accepts the bare base64 body of the PEM, without BEGIN/END lines", async () => {
    const clock = createFakeClock();
    const body = rsa.publicKeyPem
      .replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "")
      .replace(/\s+/g, "");
    expect(body).toMatch(/^[A-Za-z0-9+/=]+$/);
    const verifier = clerkVerifier(clock, { jwtKey: body });
    await expect(verifier.verify(await mintClerkToken(rsa, { clock }))).resolves.toMatchObject({
      userId: "user_test",
    });
    // The key really is used: a token of another key is refused.
    await refused(verifier.verify(await mintClerkToken(stranger, { clock })), "signature_invalid");
  });

  it("accepts tokens of every PEM in a jwtKey list (rotation), and no other key", async () => {
    const clock = createFakeClock();
    const verifier = clerkVerifier(clock, { jwtKey: [rsa.publicKeyPem, rsa2.publicKeyPem] });
    const second = await verifier.verify(await mintClerkToken(rsa2, { clock, userId: "user_2" }));
    expect(second.userId).toBe("user_2");
    const first = await verifier.verify(await mintClerkToken(rsa, { clock, userId: "user_1" }));
    expect(first.userId).toBe("user_1");
    await refused(verifier.verify(await mintClerkToken(stranger, { clock })), "signature_invalid");
  });

  it("verifies against an in-memory JWKS document, selecting the key by kid", async () => {
    const clock = createFakeClock();
    const verifier = clerkVerifier(clock, { jwks: { keys: [rsa.publicJwk, rsa2.publicJwk] } });
    await expect(verifier.verify(await mintClerkToken(rsa2, { clock }))).resolves.toMatchObject({
      userId: "user_test",
    });
    await refused(verifier.verify(await mintClerkToken(stranger, { clock })), "kid_unknown");
  });

  it("verifies against a jwksUrl, fetched once and cached", async () => {
    const clock = createFakeClock();
    const server = await serveJwks(rsa.jwks);
    servers.push(server);
    const verifier = clerkVerifier(clock, { jwksUrl: server.url });
    await verifier.verify(await mintClerkToken(rsa, { clock, userId: "user_a" }));
    const again = await verifier.verify(await mintClerkToken(rsa, { clock, userId: "user_b" }));
    expect(again.userId).toBe("user_b");
    expect(server.requests).toBe(1);
  });

  it("derives iss from the publishableKey and refuses tokens of any other iss", async () => {
    const clock = createFakeClock();
    const verifier = clerkVerifier(clock, { publishableKey: PK, jwtKey: rsa.publicKeyPem });
    const ctx = await verifier.verify(await mintClerkToken(rsa, { clock }));
    expect(ctx.issuer).toBe(ISS);
    // Same key, same shape, another instance's iss: not this app's issuer.
    const other = await mintClerkToken(rsa, { clock, issuer: "https://clerk.other.test" });
    await refused(verifier.verify(other), "issuer_unknown");
    // An explicit issuer overrides the derived one.
    const explicit = clerkVerifier(clock, {
      publishableKey: PK,
      issuer: "https://clerk.other.test",
      jwtKey: rsa.publicKeyPem,
    });
    await expect(explicit.verify(other)).resolves.toMatchObject({
      issuer: "https://clerk.other.test",
    });
  });

  it("derives the JWKS URL from a publishableKey alone and fetches it with the given fetch", async () => {
    const clock = createFakeClock();
    const fetchSpy = vi.fn<typeof fetch>(async () => Response.json(rsa.jwks));
    const verifier = clerkVerifier(clock, { publishableKey: PK, jwksCache: { fetch: fetchSpy } });
    await verifier.verify(await mintClerkToken(rsa, { clock }));
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(String(fetchSpy.mock.calls[0]![0])).toBe(
      "https://clerk.test.local/.well-known/jwks.json",
    );
  });

  it("maps a v2 Clerk org so that has() answers from the token", async () => {
    const clock = createFakeClock();
    const verifier = clerkVerifier(clock);
    const token = await mintClerkToken(rsa, {
      clock,
      org: { id: "org_1", slug: "acme", role: "org:admin", permissions: ["org:invoices:read"] },
      features: ["u:beta"],
    });
    const ctx = await verifier.verify(token);
    expect(ctx).toMatchObject({ orgId: "org_1", orgSlug: "acme", orgRole: "org:admin" });
    expect(ctx.orgPermissions).toEqual(["org:invoices:read"]);
    expect(ctx.has({ role: "admin", permission: "invoices:read" })).toBe(true);
    expect(ctx.has({ permission: "org:invoices:manage" })).toBe(false);
    expect(ctx.has({ feature: "user:beta" })).toBe(true);
  });
});

describe("createVerifier with a jwks() issuer", () => {
  it.each([
    ["ES256", es],
    ["EdDSA", ed],
    ["PS256", ps],
  ] as const)("verifies %s tokens from an in-memory JWKS", async (_alg, keys) => {
    const clock = createFakeClock();
    const verifier = createVerifier({ issuers: [jwks({ issuer: OIDC, jwks: keys.jwks })], clock });
    const ctx = await verifier.verify(
      await mintToken(keys, { iss: OIDC, sub: "auth0|123", sid: "s1", scope: "read" }, { clock }),
    );
    expect(ctx).toMatchObject({
      userId: "auth0|123",
      sessionId: "s1",
      tokenType: "jwt",
      issuer: OIDC,
      orgId: null,
      orgPermissions: null,
    });
    expect(ctx.claims.scope).toBe("read");
    // Signed by another key of the same kid: the signature decides.
    const forged = generateTestKeys({ alg: keys.alg, kid: keys.kid });
    await refused(
      verifier.verify(await mintToken(forged, { iss: OIDC, sub: "x" }, { clock })),
      "signature_invalid",
    );
  });

  it("refuses an algorithm outside the issuer's list, and HMAC as algorithm confusion", async () => {
    const clock = createFakeClock();
    const verifier = createVerifier({
      issuers: [
        jwks({
          issuer: OIDC,
          jwks: { keys: [es.publicJwk, rsa.publicJwk] },
          algorithms: ["ES256"],
        }),
      ],
      clock,
    });
    await expect(
      verifier.verify(await mintToken(es, { iss: OIDC, sub: "u" }, { clock })),
    ).resolves.toBeTruthy();
    await refused(
      verifier.verify(await mintToken(rsa, { iss: OIDC, sub: "u" }, { clock })),
      "alg_not_allowed",
    );
    const hmac = signRawJwt({
      header: { alg: "HS256", kid: rsa.kid },
      payload: { iss: OIDC, sub: "u", exp: nowSec(clock) + 60 },
      key: rsa.publicKeyPem,
    });
    await refused(verifier.verify(hmac), "alg_confusion");
  });
});

describe("several issuers routed by iss", () => {
  const clock = createFakeClock();
  const verifier = createVerifier({
    issuers: [
      clerk({ jwtKey: rsa.publicKeyPem, issuer: ISS }),
      jwks({ issuer: OIDC, jwks: { keys: [rsa2.publicJwk, es.publicJwk] } }),
    ],
    clock,
  });

  it("accepts the tokens of each issuer and tells them apart", async () => {
    const c = await verifier.verify(await mintClerkToken(rsa, { clock, userId: "user_c" }));
    expect(c).toMatchObject({ userId: "user_c", tokenType: "session_token", issuer: ISS });
    const j = await verifier.verify(await mintToken(es, { iss: OIDC, sub: "user_j" }, { clock }));
    expect(j).toMatchObject({ userId: "user_j", tokenType: "jwt", issuer: OIDC });
    const j2 = await verifier.verify(
      await mintToken(rsa2, { iss: OIDC, sub: "user_k" }, { clock }),
    );
    expect(j2.userId).toBe("user_k");
  });

  it("refuses a token claiming one issuer but signed with another issuer's key", async () => {
    // iss of Clerk, signed with the JWKS issuer's RSA key: the Clerk PEM does not verify it.
    const asClerk = await mintClerkToken(rsa2, { clock });
    await refused(verifier.verify(asClerk), "signature_invalid");
    // iss of the JWKS issuer, signed with the Clerk key (kid rsa-1 is not in its JWKS).
    const asOidc = await mintToken(rsa, { iss: OIDC, sub: "u" }, { clock });
    await refused(verifier.verify(asOidc), "kid_unknown");
    // Same, but the header borrows a kid the JWKS issuer does have.
    const borrowedKid = await mintToken(
      rsa,
      { iss: OIDC, sub: "u" },
      { clock, header: { kid: "rsa-2" } },
    );
    await refused(verifier.verify(borrowedKid), "signature_invalid");
  });

  it("refuses an iss no issuer claims when none is a wildcard, and a token without iss", async () => {
    await refused(
      verifier.verify(await mintToken(rsa, { iss: "https://evil.test", sub: "u" }, { clock })),
      "issuer_unknown",
    );
    await refused(verifier.verify(await mintToken(rsa, { sub: "u" }, { clock })), "claim_invalid");
  });

  it("routes unclaimed iss values to the one issuer without an iss", async () => {
    const open = createVerifier({
      issuers: [clerk({ jwtKey: rsa.publicKeyPem }), jwks({ issuer: OIDC, jwks: es.jwks })],
      clock,
    });
    const ctx = await open.verify(
      await mintClerkToken(rsa, { clock, issuer: "https://clerk.any.test" }),
    );
    expect(ctx.issuer).toBe("https://clerk.any.test");
    // A claimed iss never falls through to the wildcard.
    await refused(open.verify(await mintClerkToken(rsa, { clock, issuer: OIDC })), "kid_unknown");
  });
});

describe("audience", () => {
  const clock = createFakeClock();
  const verifier = createVerifier({
    issuers: [jwks({ issuer: OIDC, jwks: es.jwks, audience: "api" })],
    clock,
  });
  const mint = (claims: Record<string, unknown>) =>
    mintToken(es, { iss: OIDC, sub: "u", ...claims }, { clock });

  it("accepts aud as a string or an array that contains the expected audience", async () => {
    await expect(verifier.verify(await mint({ aud: "api" }))).resolves.toBeTruthy();
    await expect(verifier.verify(await mint({ aud: ["other", "api"] }))).resolves.toBeTruthy();
  });

  it("refuses another audience, a missing aud, and a malformed aud", async () => {
    await refused(verifier.verify(await mint({ aud: "other" })), "audience_invalid");
    await refused(verifier.verify(await mint({ aud: ["other", "more"] })), "audience_invalid");
    await refused(verifier.verify(await mint({})), "audience_invalid");
    await refused(verifier.verify(await mint({ aud: [] })), "audience_invalid");
    await refused(verifier.verify(await mint({ aud: ["api", 7] })), "audience_invalid");
  });

  it("applies to clerk() too, with a list of accepted audiences", async () => {
    const v = clerkVerifier(clock, { jwtKey: rsa.publicKeyPem, audience: ["a", "b"] });
    await expect(
      v.verify(await mintClerkToken(rsa, { clock, claims: { aud: "b" } })),
    ).resolves.toBeTruthy();
    await refused(v.verify(await mintClerkToken(rsa, { clock })), "audience_invalid");
  });
});

describe("authorized parties (azp)", () => {
  const clock = createFakeClock();
  const strict = clerkVerifier(clock, { jwtKey: rsa.publicKeyPem, authorizedParties: [APP] });
  const open = clerkVerifier(clock);

  it("accepts a token issued to an authorized party, from a header or a cookie", async () => {
    const token = await mintClerkToken(rsa, { clock });
    await expect(strict.verify(token)).resolves.toBeTruthy();
    await expect(strict.verify(token, { source: "cookie" })).resolves.toBeTruthy();
  });

  it("refuses another azp and a missing azp when parties are configured", async () => {
    await refused(
      strict.verify(await mintClerkToken(rsa, { clock, azp: "https://evil.test" })),
      "azp_invalid",
    );
    await refused(
      strict.verify(await mintClerkToken(rsa, { clock, claims: { azp: undefined } })),
      "azp_invalid",
    );
  });

  it("refuses every cookie token when no authorizedParties are configured (CSRF)", async () => {
    const token = await mintClerkToken(rsa, { clock });
    await refused(open.verify(token, { source: "cookie" }), "azp_invalid");
  });

  it("accepts header tokens of any azp when none are configured", async () => {
    const token = await mintClerkToken(rsa, { clock, azp: "https://elsewhere.test" });
    await expect(open.verify(token)).resolves.toMatchObject({ userId: "user_test" });
  });
});

describe("header typ", () => {
  const clock = createFakeClock();

  it("clerk() accepts typ JWT (any case) or no typ, and refuses at+jwt", async () => {
    const v = clerkVerifier(clock);
    await expect(v.verify(await mintClerkToken(rsa, { clock }))).resolves.toBeTruthy();
    await expect(
      v.verify(await mintClerkToken(rsa, { clock, header: { typ: "jwt" } })),
    ).resolves.toBeTruthy();
    await expect(
      v.verify(await mintClerkToken(rsa, { clock, header: { typ: undefined } })),
    ).resolves.toBeTruthy();
    await refused(
      v.verify(await mintClerkToken(rsa, { clock, header: { typ: "at+jwt" } })),
      "header_typ_invalid",
    );
  });

  it("jwks({ typ: 'at+jwt' }) requires that type, with or without application/", async () => {
    const v = createVerifier({
      issuers: [jwks({ issuer: OIDC, jwks: es.jwks, typ: "at+jwt" })],
      clock,
    });
    const mint = (typ: string | undefined) =>
      mintToken(es, { iss: OIDC, sub: "u" }, { clock, header: { typ } });
    await expect(v.verify(await mint("at+jwt"))).resolves.toBeTruthy();
    await expect(v.verify(await mint("application/at+jwt"))).resolves.toBeTruthy();
    await expect(v.verify(await mint("AT+JWT"))).resolves.toBeTruthy();
    await refused(v.verify(await mint("JWT")), "header_typ_invalid");
    await refused(v.verify(await mint(undefined)), "header_typ_invalid");
  });

  it("jwks() without typ accepts any typ", async () => {
    const v = createVerifier({ issuers: [jwks({ issuer: OIDC, jwks: es.jwks })], clock });
    const token = await mintToken(
      es,
      { iss: OIDC, sub: "u" },
      { clock, header: { typ: "dpop+jwt" } },
    );
    await expect(v.verify(token)).resolves.toBeTruthy();
  });
});

describe("pending sessions", () => {
  it("refuses sts: pending unless acceptPendingSessions is set", async () => {
    const clock = createFakeClock();
    const token = await mintClerkToken(rsa, { clock, sts: "pending" });
    await refused(clerkVerifier(clock).verify(token), "session_pending");
    const lenient = clerkVerifier(clock, undefined, { acceptPendingSessions: true });
    await expect(lenient.verify(token)).resolves.toMatchObject({ sessionStatus: "pending" });
    const active = await clerkVerifier(clock).verify(
      await mintClerkToken(rsa, { clock, sts: "active" }),
    );
    expect(active.sessionStatus).toBe("active");
  });

  it("authenticate() signs a pending session out with reason session_pending", async () => {
    const clock = createFakeClock();
    const token = await mintClerkToken(rsa, { clock, sts: "pending" });
    const auth = await clerkVerifier(clock).authenticate({
      headers: { authorization: `Bearer ${token}` },
    });
    expect(auth).toMatchObject({ isSignedIn: false, reason: "session_pending", userId: null });
  });
});

describe("time claims under a fake clock", () => {
  const mintOidc = (
    clock: FakeClock,
    claims: Record<string, unknown>,
    opts: MintTokenOptions = {},
  ) => mintToken(es, { iss: OIDC, sub: "u", ...claims }, { clock, ...opts });
  const oidcVerifier = (clock: FakeClock, clockSkewSec?: number) =>
    createVerifier({
      issuers: [jwks({ issuer: OIDC, jwks: es.jwks })],
      clock,
      cache: false,
      ...(clockSkewSec === undefined ? {} : { clockSkewSec }),
    });

  it("accepts an expired token within the default 5 s skew, refuses it beyond", async () => {
    const clock = createFakeClock();
    const v = oidcVerifier(clock);
    const token = await mintClerkToken(rsa, { clock, expiresInSec: 60 });
    const cv = clerkVerifier(clock, undefined, { cache: false });
    clock.advance(64_000);
    await expect(cv.verify(token)).resolves.toBeTruthy();
    clock.advance(2_000);
    await refused(cv.verify(token), "token_expired");
    // Same with a generic JWT.
    const jwt = await mintOidc(clock, {}, { expiresInSec: 10 });
    clock.advance(14_000);
    await expect(v.verify(jwt)).resolves.toBeTruthy();
    clock.advance(1_000);
    await refused(v.verify(jwt), "token_expired");
  });

  it("honours clockSkewSec: 0 exactly at exp", async () => {
    const clock = createFakeClock();
    const v = oidcVerifier(clock, 0);
    const token = await mintOidc(clock, {}, { expiresInSec: 30 });
    clock.advance(29_999);
    await expect(v.verify(token)).resolves.toBeTruthy();
    clock.advance(1);
    await refused(v.verify(token), "token_expired");
  });

  it("refuses nbf and iat in the future beyond the skew, accepts them within", async () => {
    const clock = createFakeClock();
    const v = oidcVerifier(clock);
    const now = nowSec(clock);
    await expect(
      v.verify(await mintOidc(clock, {}, { notBeforeSec: now + 4 })),
    ).resolves.toBeTruthy();
    await refused(
      v.verify(await mintOidc(clock, {}, { notBeforeSec: now + 6 })),
      "token_not_yet_valid",
    );
    await expect(
      v.verify(await mintOidc(clock, {}, { issuedAtSec: now + 4 })),
    ).resolves.toBeTruthy();
    await refused(
      v.verify(await mintOidc(clock, {}, { issuedAtSec: now + 6 })),
      "token_issued_in_future",
    );
    // Once the clock catches up, the nbf token becomes valid.
    const later = await mintOidc(clock, {}, { notBeforeSec: now + 20 });
    clock.advance(16_000);
    await expect(v.verify(later)).resolves.toBeTruthy();
  });

  it("refuses a missing or malformed sub, exp, nbf or iat with claim_invalid", async () => {
    const clock = createFakeClock();
    const v = oidcVerifier(clock);
    for (const claims of [
      { sub: undefined },
      { sub: "" },
      { sub: 42 },
      { exp: undefined },
      { exp: "9999999999" },
      { nbf: "0" },
      { iat: null },
    ]) {
      await refused(v.verify(await mintOidc(clock, claims)), "claim_invalid");
    }
  });
});

describe("verified-token cache", () => {
  it("serves the same frozen context for the same token", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock);
    const token = await mintClerkToken(rsa, { clock });
    const first = await v.verify(token);
    const second = await v.verify(token);
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
  });

  it("never serves an entry at or past exp: it re-verifies, and refuses beyond the skew", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock);
    const token = await mintClerkToken(rsa, { clock, expiresInSec: 60 });
    const first = await v.verify(token);
    clock.advance(59_000);
    expect(await v.verify(token)).toBe(first);
    clock.advance(2_000); // exp + 1 s: within the skew, but the cache must not answer.
    const again = await v.verify(token);
    expect(again).not.toBe(first);
    expect(again.userId).toBe(first.userId);
    clock.advance(5_000); // exp + 6 s
    await refused(v.verify(token), "token_expired");
  });

  it("with cache: false verifies every time", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock, undefined, { cache: false });
    const token = await mintClerkToken(rsa, { clock });
    const a = await v.verify(token);
    const b = await v.verify(token);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
  });

  it("evicts the oldest entry beyond maxEntries", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock, undefined, { cache: { maxEntries: 1 } });
    const a = await mintClerkToken(rsa, { clock, userId: "user_a" });
    const b = await mintClerkToken(rsa, { clock, userId: "user_b" });
    const ctxA = await v.verify(a);
    const ctxB = await v.verify(b);
    expect(await v.verify(b)).toBe(ctxB);
    expect(await v.verify(a)).not.toBe(ctxA);
  });

  it("caches header and cookie verifications apart: a header success never admits the cookie", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock);
    const token = await mintClerkToken(rsa, { clock });
    await v.verify(token);
    await refused(v.verify(token, { source: "cookie" }), "azp_invalid");
    const auth = await v.authenticate({ headers: { cookie: `__session=${token}` } });
    expect(auth).toMatchObject({ isSignedIn: false, reason: "azp_invalid" });
  });

  it("does not cache refusals: a failure is refused again with the same code", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock);
    const token = await mintClerkToken(stranger, { clock });
    await refused(v.verify(token), "signature_invalid");
    await refused(v.verify(token), "signature_invalid");
  });
});

describe("authenticateSync()", () => {
  it("answers a request without a credential as signed out", () => {
    const v = clerkVerifier(createFakeClock());
    expect(v.authenticateSync({ headers: {} })).toMatchObject({
      isSignedIn: false,
      reason: "token_missing",
    });
  });

  it("verifies a token with a PEM key synchronously, then answers from the cache until exp", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock);
    const token = await mintClerkToken(rsa, { clock, expiresInSec: 60 });
    const req = { headers: { authorization: `Bearer ${token}` } };
    const first = v.authenticateSync(req);
    expect(first).toMatchObject({ isSignedIn: true, userId: "user_test" });
    expect(v.authenticateSync(req)).toBe(first);
    expect(await v.authenticate(req)).toBe(first);
    clock.advance(66_000);
    expect(v.authenticateSync(req)).toMatchObject({ isSignedIn: false, reason: "token_expired" });
  });

  it("signs out a forged token, and a header-verified token sent as a cookie, with their codes", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock);
    const token = await mintClerkToken(rsa, { clock });
    expect(v.authenticateSync({ headers: { authorization: `Bearer ${token}` } })?.isSignedIn).toBe(
      true,
    );
    const [h, p, sig] = token.split(".");
    const claims = { ...JSON.parse(Buffer.from(p!, "base64url").toString()), sub: "user_admin" };
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${sig}`;
    expect(v.authenticateSync({ headers: { authorization: `Bearer ${forged}` } })).toMatchObject({
      reason: "signature_invalid",
    });
    expect(v.authenticateSync({ headers: { cookie: `__session=${token}` } })).toMatchObject({
      reason: "azp_invalid",
    });
  });

  it("answers undefined while a remote JWKS is fetched, and synchronously once it is cached", async () => {
    const server = await serveJwks(rsa.jwks);
    servers.push(server);
    const clock = createFakeClock();
    const v = clerkVerifier(clock, { jwksUrl: server.url });
    const req = { headers: { authorization: `Bearer ${await mintClerkToken(rsa, { clock })}` } };
    expect(v.authenticateSync(req)).toBeUndefined();
    expect(await v.authenticate(req)).toMatchObject({ isSignedIn: true });
    expect(v.authenticateSync(req)).toMatchObject({ isSignedIn: true });
    expect(server.requests).toBe(1);
  });

  it("leaves no unhandled rejection behind when the fetch it started fails", async () => {
    const server = await serveJwks(rsa.jwks);
    servers.push(server);
    server.fail(503);
    const clock = createFakeClock();
    const v = clerkVerifier(clock, { jwksUrl: server.url });
    const req = { headers: { authorization: `Bearer ${await mintClerkToken(rsa, { clock })}` } };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      expect(v.authenticateSync(req)).toBeUndefined();
      await refused(v.authenticate(req), "jwks_unavailable", 503);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("authenticate()", () => {
  const clock = createFakeClock();
  const v = clerkVerifier(clock, { jwtKey: rsa.publicKeyPem, authorizedParties: [APP] });

  it("reads a Bearer token, with the scheme in any case", async () => {
    const token = await mintClerkToken(rsa, { clock, userId: "user_h" });
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      const auth = await v.authenticate({ headers: { authorization: `${scheme} ${token}` } });
      expect(signedInOf(auth).userId, scheme).toBe("user_h");
    }
  });

  it("reads the __session cookie among others", async () => {
    const token = await mintClerkToken(rsa, { clock, userId: "user_c" });
    const auth = await v.authenticate({
      headers: { cookie: `theme=dark; __session=${token}; __client_uat=1` },
    });
    expect(signedInOf(auth).userId).toBe("user_c");
  });

  it("reads a custom cookieName and then ignores __session", async () => {
    const custom = clerkVerifier(
      clock,
      { jwtKey: rsa.publicKeyPem, authorizedParties: [APP] },
      { cookieName: "app_auth" },
    );
    const token = await mintClerkToken(rsa, { clock });
    expect(
      (await custom.authenticate({ headers: { cookie: `app_auth=${token}` } })).isSignedIn,
    ).toBe(true);
    const wrong = await custom.authenticate({ headers: { cookie: `__session=${token}` } });
    expect(wrong).toMatchObject({ isSignedIn: false, reason: "token_missing" });
  });

  it("prefers the Authorization header over the cookie", async () => {
    const header = await mintClerkToken(rsa, { clock, userId: "user_header" });
    const cookie = await mintClerkToken(rsa, { clock, userId: "user_cookie" });
    const auth = await v.authenticate({
      headers: { authorization: `Bearer ${header}`, cookie: `__session=${cookie}` },
    });
    expect(signedInOf(auth).userId).toBe("user_header");
    // A refused header token is not rescued by a valid cookie.
    const bad = await v.authenticate({
      headers: { authorization: "Bearer not.a.token", cookie: `__session=${cookie}` },
    });
    expect(bad.isSignedIn).toBe(false);
  });

  it("ignores other schemes (Basic) and falls back to the cookie", async () => {
    const basic = `Basic ${Buffer.from("user:pass").toString("base64")}`;
    const none = await v.authenticate({ headers: { authorization: basic } });
    expect(none).toMatchObject({ isSignedIn: false, reason: "token_missing" });
    const token = await mintClerkToken(rsa, { clock, userId: "user_c" });
    const auth = await v.authenticate({
      headers: { authorization: basic, cookie: `__session=${token}` },
    });
    expect(signedInOf(auth).userId).toBe("user_c");
  });

  it("signs out with reason token_missing when nothing is presented", async () => {
    for (const headers of [
      {},
      { authorization: "Bearer " },
      { authorization: "Bearer" },
      { cookie: "a=b" },
    ]) {
      const auth = await v.authenticate({ headers });
      expect(auth, JSON.stringify(headers)).toMatchObject({
        isSignedIn: false,
        reason: "token_missing",
        userId: null,
        claims: null,
      });
      expect(auth.has({ role: "admin" })).toBe(false);
    }
  });

  it("signs a refused token out with its reason and a message that never contains the token", async () => {
    const expired = await mintClerkToken(rsa, { clock, expiresInSec: -60 });
    const forged = await mintClerkToken(stranger, { clock });
    for (const [token, reason] of [
      [expired, "token_expired"],
      [forged, "signature_invalid"],
      ["abc.def", "token_malformed"],
    ] as const) {
      const auth = await v.authenticate({ headers: { authorization: `Bearer ${token}` } });
      expect(auth).toMatchObject({ isSignedIn: false, reason, userId: null });
      if (auth.isSignedIn) throw new Error("unreachable");
      expect(auth.message.length).toBeGreaterThan(0);
      for (const part of token.split(".")) expect(auth.message).not.toContain(part);
      expect(JSON.stringify(auth)).not.toContain(token);
    }
  });

  it("accepts a Fetch Headers object", async () => {
    const token = await mintClerkToken(rsa, { clock, userId: "user_f" });
    const auth = await v.authenticate({
      headers: new Headers({ Authorization: `Bearer ${token}` }),
    });
    expect(signedInOf(auth).userId).toBe("user_f");
    const viaCookie = await v.authenticate({
      headers: new Headers({ Cookie: `__session=${token}` }),
    });
    expect(signedInOf(viaCookie).userId).toBe("user_f");
    expect((await v.authenticate({ headers: new Headers() })).isSignedIn).toBe(false);
  });

  it("rejects with jwks_unavailable (503) instead of signing out when keys cannot be fetched", async () => {
    const server = await serveJwks(es.jwks);
    servers.push(server);
    server.fail(503);
    const remote = createVerifier({
      issuers: [jwks({ issuer: OIDC, jwksUri: server.url })],
      clock,
    });
    const token = await mintToken(es, { iss: OIDC, sub: "u" }, { clock });
    await refused(
      remote.authenticate({ headers: { authorization: `Bearer ${token}` } }),
      "jwks_unavailable",
      503,
    );
    await refused(remote.verify(token), "jwks_unavailable", 503);
  });
});

describe("contexts are immutable", () => {
  it("freezes the context, its claims (deeply) and its permission list", async () => {
    const clock = createFakeClock();
    const v = clerkVerifier(clock);
    const ctx = await v.verify(
      await mintClerkToken(rsa, {
        clock,
        org: { id: "org_1", role: "org:admin", permissions: ["org:a:read"] },
        act: { sub: "user_admin" },
      }),
    );
    const claims = ctx.claims as Record<string, unknown>;
    expect(() => {
      (ctx as unknown as Record<string, unknown>).userId = "user_evil";
    }).toThrow(TypeError);
    expect(() => {
      claims.sub = "user_evil";
    }).toThrow(TypeError);
    expect(() => {
      (claims.o as Record<string, unknown>).rol = "owner";
    }).toThrow(TypeError);
    expect(() => (ctx.orgPermissions as string[]).push("org:a:write")).toThrow(TypeError);
    expect(() => {
      (ctx.actor as Record<string, unknown>).sub = "someone";
    }).toThrow(TypeError);
    expect(() => {
      (ctx.factorVerificationAge as unknown as number[])[0] = 1;
    }).toThrow(TypeError);
    expect(ctx.userId).toBe("user_test");
    expect(ctx.has({ permission: "org:a:write" })).toBe(false);
  });

  it("freezes signed-out contexts", async () => {
    const v = clerkVerifier(createFakeClock());
    const auth = await v.authenticate({ headers: {} });
    expect(() => {
      (auth as unknown as Record<string, unknown>).userId = "user_evil";
    }).toThrow(TypeError);
    expect(Object.isFrozen(auth)).toBe(true);
  });
});

describe("options are validated once, at start-up", () => {
  it("refuses an unknown option and names it", () => {
    configFails(
      () =>
        createVerifier({ issuers: [clerk({ jwtKey: rsa.publicKeyPem })], clockskew: 5 } as never),
      "createVerifier()",
      "clockskew",
    );
    configFails(
      () => clerk({ jwtKey: rsa.publicKeyPem, authorizedParty: APP } as never),
      "clerk()",
      "authorizedParty",
    );
    configFails(
      () => jwks({ issuer: OIDC, jwks: es.jwks, audiences: "api" } as never),
      "jwks()",
      "audiences",
    );
  });

  it("refuses bad values of known options, naming them", () => {
    const issuers = [clerk({ jwtKey: rsa.publicKeyPem })];
    configFails(() => createVerifier({ issuers: [] }), "issuers");
    configFails(() => createVerifier({ issuers, clockSkewSec: -1 }), "clockSkewSec");
    configFails(() => createVerifier({ issuers, clockSkewSec: 3600 }), "clockSkewSec");
    configFails(() => createVerifier({ issuers, cookieName: "a;b" }), "cookieName");
    configFails(() => createVerifier({ issuers, maxTokenBytes: 10 }), "maxTokenBytes");
    configFails(() => createVerifier({ issuers, cache: { maxEntries: 0 } }), "cache");
    configFails(() => clerk({ publishableKey: "sk_test_abc" }), "publishableKey");
  });

  it("clerk() needs exactly one key source", () => {
    configFails(() => clerk({}), "key source");
    configFails(() => clerk({ authorizedParties: [APP] }), "key source");
    configFails(
      () =>
        clerk({
          jwtKey: rsa.publicKeyPem,
          jwksUrl: "https://clerk.example.test/.well-known/jwks.json",
        }),
      "only one",
    );
    configFails(() => clerk({ jwtKey: rsa.publicKeyPem, jwks: rsa.jwks }), "only one");
  });

  it("clerk() refuses a private key as jwtKey without echoing it", () => {
    const err = configFails(() => clerk({ jwtKey: rsa.privateKeyPem }), "jwtKey", "private key");
    const body = rsa.privateKeyPem.split("\n")[1]!;
    expect(err.message).not.toContain(body);
    configFails(() => clerk({ jwtKey: [rsa.publicKeyPem, "not a key"] }), "jwtKey", "key 2");
  });

  it("refuses http JWKS URLs except on loopback", () => {
    configFails(
      () => clerk({ jwksUrl: "http://clerk.example.test/.well-known/jwks.json" }),
      "jwksUrl",
    );
    configFails(() => jwks({ issuer: OIDC, jwksUri: "http://auth.example.test/jwks" }), "jwksUri");
    configFails(() => jwks({ issuer: OIDC, jwksUri: "not a url" }), "jwksUri");
    expect(() => clerk({ jwksUrl: "http://127.0.0.1:9/jwks" })).not.toThrow();
    expect(() => jwks({ issuer: OIDC, jwksUri: "http://localhost:9/jwks" })).not.toThrow();
  });

  it("jwks() needs exactly one of jwks and jwksUri, with a usable key", () => {
    configFails(() => jwks({ issuer: OIDC }), "jwksUri");
    configFails(
      () => jwks({ issuer: OIDC, jwks: es.jwks, jwksUri: "https://auth.example.test/jwks" }),
      "jwksUri",
    );
    configFails(
      () => jwks({ issuer: OIDC, jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } }),
      "no usable",
    );
  });

  it("refuses two issuers with the same iss, and two without one", () => {
    configFails(
      () =>
        createVerifier({
          issuers: [
            jwks({ issuer: OIDC, jwks: es.jwks }),
            clerk({ jwtKey: rsa.publicKeyPem, issuer: OIDC }),
          ],
        }),
      OIDC,
    );
    configFails(
      () =>
        createVerifier({
          issuers: [clerk({ jwtKey: rsa.publicKeyPem }), clerk({ jwtKey: rsa2.publicKeyPem })],
        }),
      "iss",
    );
  });

  it("does not mutate the options it is given", async () => {
    const clock = createFakeClock();
    const issuerOptions = Object.freeze({
      jwtKey: Object.freeze([rsa.publicKeyPem]),
      authorizedParties: Object.freeze([APP]),
    });
    const options = Object.freeze({ issuers: Object.freeze([clerk(issuerOptions)]), clock });
    const v = createVerifier(options);
    await expect(v.verify(await mintClerkToken(rsa, { clock }))).resolves.toBeTruthy();
    expect(Object.isFrozen(v)).toBe(true);
  });
});
