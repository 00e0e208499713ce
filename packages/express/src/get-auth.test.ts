import type { IncomingMessage } from "node:http";
import { isGatehouseError, signedOut } from "@gatehouse/core";
import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { errorHandler, getAuth } from "./index.js";

describe("getAuth()", () => {
  it("returns the stored context, signed-out ones with their reason", () => {
    const ctx = signedOut("token_expired", "The token has expired.");
    const req = { headers: {}, [Symbol.for("gatehouse.auth")]: ctx } as unknown as IncomingMessage;
    const auth = getAuth(req);
    expect(auth).toBe(ctx);
    expect(auth.isSignedIn).toBe(false);
    expect(auth.reason).toBe("token_expired");
  });

  it("throws config_invalid when authenticate() did not run (misuse is not failure)", () => {
    let thrown: unknown;
    try {
      getAuth({ headers: {} } as IncomingMessage);
    } catch (err) {
      thrown = err;
    }
    expect(isGatehouseError(thrown)).toBe(true);
    expect(thrown).toMatchObject({
      code: "config_invalid",
      status: 500,
      message:
        "getAuth() called on a request that authenticate() did not see: mount authenticate(verifier) first",
    });
  });

  it("surfaces as a 500 problem through errorHandler, never as a 401", async () => {
    const app = express();
    app.get("/", (req, res) => {
      res.json(getAuth(req));
    });
    app.use(errorHandler());
    const res = await request(app).get("/");
    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers["www-authenticate"]).toBeUndefined();
    expect(res.body).toMatchObject({ code: "config_invalid", status: 500 });
  });
});
