// jwksHandler(): the published keys verify the access tokens; caching and content type.
import { createVerifier, GatehouseError, local } from "@gatehouse/core";
import { errorHandler } from "@gatehouse/express";
import express5 from "express";
import express4 from "express4";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { jwksHandler } from "../express.js";
import { expectProblem, ISSUER, service } from "./test-helpers.js";

describe.each([
  ["express 5", express5],
  ["express 4", express4],
] as const)("jwksHandler() on %s", (_name, express) => {
  const { sessions, clock } = service();
  const app = express();
  app.get("/.well-known/jwks.json", jwksHandler(sessions));

  it("serves the public JWKS as application/json with Cache-Control: public, max-age=60", async () => {
    const res = await request(app).get("/.well-known/jwks.json").expect(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("public, max-age=60");
    expect(res.body).toEqual(await sessions.publicJwks());
    expect(res.body.keys.length).toBeGreaterThan(0);
    for (const key of res.body.keys) {
      expect(key).toHaveProperty("kid");
      for (const secret of ["d", "p", "q", "dp", "dq", "qi", "k"])
        expect(key).not.toHaveProperty(secret);
    }
  });

  it("publishes keys another verifier can check this service's tokens with", async () => {
    const { body } = await request(app).get("/.well-known/jwks.json").expect(200);
    const issued = await sessions.create({ userId: "user_1" });
    const elsewhere = createVerifier({ issuers: [local({ issuer: ISSUER, jwks: body })], clock });
    expect((await elsewhere.verify(issued.accessToken)).userId).toBe("user_1");
  });

  it("answers HEAD without a body", async () => {
    const res = await request(app).head("/.well-known/jwks.json").expect(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=60");
    expect(res.text ?? "").toBe("");
  });
});

describe("jwksHandler() elsewhere", () => {
  it("passes other methods on (mounted with app.use) and store failures to next(err)", async () => {
    const { sessions } = service();
    const failing = { ...sessions, publicJwks: () => Promise.reject(new Error("boom")) };
    const down = {
      ...sessions,
      publicJwks: () =>
        Promise.reject(new GatehouseError("store_unavailable", "The store is down.")),
    };
    const app = express5();
    app.use("/jwks", jwksHandler(sessions));
    app.use("/down", jwksHandler(down));
    app.use("/broken", jwksHandler(failing));
    app.use(errorHandler());
    expect((await request(app).post("/jwks")).status).toBe(404);
    expectProblem(await request(app).get("/down"), 503, "store_unavailable");
    expect((await request(app).get("/broken")).status).toBe(500);
  });

  it("refuses a first argument that is not the service, and is named", () => {
    expect(() => jwksHandler({} as never)).toThrow(/createSessions\(\)/);
    expect(jwksHandler(service().sessions).name).toBe("jwksHandler");
  });
});
