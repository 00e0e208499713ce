import {
  type AuthContext,
  type AuthorizationCheck,
  clerk,
  createVerifier,
  type SignedInAuthContext,
} from "@gatehouse/core";
import { generateTestKeys, mintClerkToken } from "@gatehouse/testing";
import { describe, expect, expectTypeOf, it } from "vitest";

// An app declares its custom session claims once (Clerk "customize session token").
declare module "@gatehouse/core" {
  interface CustomClaims {
    tenant?: string;
    roles?: readonly string[];
  }
}

describe("types", () => {
  it("types custom claims through module augmentation", async () => {
    const keys = generateTestKeys();
    const verifier = createVerifier({ issuers: [clerk({ jwtKey: keys.publicKeyPem })] });
    const auth = await verifier.verify(
      await mintClerkToken(keys, { claims: { tenant: "acme", roles: ["editor"] } }),
    );
    expectTypeOf(auth.claims.tenant).toEqualTypeOf<string | undefined>();
    expectTypeOf(auth.claims.roles).toEqualTypeOf<readonly string[] | undefined>();
    expectTypeOf(auth.claims.sub).toEqualTypeOf<string>();
    expect(auth.claims.tenant).toBe("acme");
    expect(auth.claims.roles).toEqual(["editor"]);
  });

  it("narrows AuthContext on isSignedIn", () => {
    const check = (auth: AuthContext) => {
      if (auth.isSignedIn) {
        expectTypeOf(auth).toEqualTypeOf<SignedInAuthContext>();
        expectTypeOf(auth.userId).toEqualTypeOf<string>();
        expectTypeOf(auth.reason).toEqualTypeOf<null>();
      } else {
        expectTypeOf(auth.userId).toEqualTypeOf<null>();
        expectTypeOf(auth.claims).toEqualTypeOf<null>();
        expectTypeOf(auth.has).returns.toEqualTypeOf<false>();
      }
    };
    expect(check).toBeTypeOf("function");
  });

  it("accepts only known reverification presets", () => {
    expectTypeOf<{ reverification: "strict" }>().toMatchTypeOf<AuthorizationCheck>();
    expectTypeOf<{ reverification: "sometimes" }>().not.toMatchTypeOf<AuthorizationCheck>();
    expectTypeOf<{
      reverification: { level: "second_factor"; afterMinutes: 5 };
    }>().toMatchTypeOf<AuthorizationCheck>();
  });
});
