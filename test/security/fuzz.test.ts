import { ERROR_STATUS, isGatehouseError } from "@gatehouse/core";
import { base64url, signRawJwt } from "@gatehouse/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clerkClaims, clerkHeader, clerkKeys, makeVerifier } from "./fixtures.js";

const verifier = makeVerifier();
const KNOWN_CODES = new Set(Object.keys(ERROR_STATUS));

/** Verifies and classifies: every outcome must be a success or a typed 4xx refusal. */
async function outcome(token: string): Promise<"accepted" | string> {
  try {
    await verifier.verify(token);
    return "accepted";
  } catch (err) {
    if (!isGatehouseError(err)) throw err;
    expect(KNOWN_CODES.has(err.code)).toBe(true);
    expect(err.status).toBe(401);
    return err.code;
  }
}

const segment = fc.oneof(
  fc.string(),
  fc.base64String().map((s) => s.replace(/=+$/, "")),
  fc.uint8Array({ maxLength: 300 }).map(base64url),
  fc.jsonValue().map((v) => base64url(JSON.stringify(v))),
);

describe("property: the parser survives arbitrary input", () => {
  it("random strings are refused with a typed code, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 2000 }), async (s) => {
        expect(await outcome(s)).not.toBe("accepted");
      }),
      { numRuns: 500 },
    );
  });

  it("random three-segment tokens are refused with a typed code", async () => {
    await fc.assert(
      fc.asyncProperty(segment, segment, segment, async (h, p, s) => {
        expect(await outcome(`${h}.${p}.${s}`)).not.toBe("accepted");
      }),
      { numRuns: 500 },
    );
  });

  it("random JSON payloads signed with the real key never crash the claim checks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (payload) => {
        const token = signRawJwt({
          header: clerkHeader,
          payload,
          key: clerkKeys.privateKey,
          alg: "RS256",
        });
        expect(await outcome(token)).not.toBe("accepted");
      }),
      { numRuns: 200 },
    );
  });

  it("random values in every Clerk claim, properly signed, give a context or a typed refusal", async () => {
    const claim = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          o: claim,
          fea: claim,
          pla: claim,
          fva: claim,
          act: claim,
          sts: claim,
          v: claim,
          org_permissions: claim,
          sid: claim,
        }),
        async (overrides) => {
          const token = signRawJwt({
            header: clerkHeader,
            payload: clerkClaims(overrides),
            key: clerkKeys.privateKey,
            alg: "RS256",
          });
          const result = await outcome(token);
          if (result === "accepted") {
            const ctx = await verifier.verify(token);
            // Whatever the claims held, authorization checks answer a boolean and fail closed.
            expect(typeof ctx.has({ permission: "org:x:y" })).toBe("boolean");
            expect(ctx.has({})).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("random headers, properly signed, give a typed refusal or a success", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue()),
        async (extra) => {
          const header = { ...extra, ...clerkHeader };
          const token = signRawJwt({
            header,
            payload: clerkClaims(),
            key: clerkKeys.privateKey,
            alg: "RS256",
          });
          const result = await outcome(token);
          const keys = Object.keys(extra);
          if (["jwk", "jku", "x5u", "x5c"].some((k) => keys.includes(k)))
            expect(result).toBe("header_embedded_key");
          else if (keys.includes("crit")) expect(result).toBe("header_crit_unsupported");
        },
      ),
      { numRuns: 200 },
    );
  });

  it("random Authorization and Cookie headers never make authenticate() throw", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 500 }),
        fc.string({ maxLength: 500 }),
        async (authorization, cookie) => {
          const auth = await verifier.authenticate({ headers: { authorization, cookie } });
          expect(auth.isSignedIn).toBe(false);
          expect(KNOWN_CODES.has(auth.reason as string)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
