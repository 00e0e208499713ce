import { createVerifier, local } from "@gatehouse/core";
import { createSqliteStore } from "@gatehouse/store-sql";
import { createFakeClock } from "@gatehouse/testing";
import { describe, expect, it } from "vitest";
import { SecretRing } from "../crypto.js";
import { signingKeyModel } from "../models.js";
import { createKeyRing } from "./key-ring.js";

const ISS = "https://app.example.test";

describe("key ring on SQLite", () => {
  it("signs, rotates and settles a slot race in a real database", async () => {
    const clock = createFakeClock();
    const store = createSqliteStore(":memory:", { models: [signingKeyModel], clock });
    await store.migrate();
    try {
      const options = {
        records: store.records,
        secrets: new SecretRing(["sqlite-secret-with-plenty-of-entropy"]),
        clock,
        algorithm: "EdDSA",
        rotateEverySec: 3600,
        publishAheadSec: 0,
        retainSec: 900,
      } as const;
      const [a, b] = [createKeyRing(options), createKeyRing(options)];
      const iat = Math.floor(clock.now() / 1000);
      const claims = { iss: ISS, sub: "user_1", sid: "sess_1", iat, exp: iat + 600 };
      const [ta, tb] = await Promise.all([a.sign(claims), b.sign(claims)]);
      expect(ta.split(".")[0]).toBe(tb.split(".")[0]); // same kid: one key for slot 1

      const rotated = await a.rotate();
      const token = await a.sign(claims);
      const verifier = createVerifier({
        issuers: [local({ issuer: ISS, jwks: a.publicJwks })],
        clock,
        cache: false,
      });
      await expect(verifier.verify(token)).resolves.toMatchObject({ userId: "user_1" });
      expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid).toBe(
        rotated.kid,
      );
      const stored = await store.records.findMany(signingKeyModel);
      expect(stored.items.map((k) => k.generation).sort()).toEqual([1, 2]);
    } finally {
      await store.close();
    }
  });
});
