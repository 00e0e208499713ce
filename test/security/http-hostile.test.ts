import { authenticate, errorHandler, getAuth, requireAuth } from "@gatehouse/express";
import express from "express";
import fc from "fast-check";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { makeVerifier } from "./fixtures.js";
import { hostileCases } from "./hostile-tokens.js";

const app = express();
app.use(authenticate(makeVerifier()));
app.get("/protected", requireAuth(), (req, res) => {
  res.json({ userId: getAuth(req).userId });
});
app.use(errorHandler());

describe("hostile tokens over HTTP", () => {
  it.each(hostileCases)(
    "answers 401 $code for $name, echoing nothing",
    async ({ token, code, cookie }) => {
      const t = token();
      const req = request(app).get("/protected");
      const res = await (cookie
        ? req.set("cookie", `__session=${t}`)
        : req.set("authorization", `Bearer ${t}`));
      expect(res.status).toBe(401);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(res.headers["www-authenticate"]).toMatch(
        /^Bearer error="invalid_token", error_description="[^"]+"$/,
      );
      expect(res.body).toMatchObject({ status: 401, code });
      const raw = res.text + JSON.stringify(res.headers);
      for (const part of t.split(".").filter((p) => p.length > 8)) expect(raw).not.toContain(part);
      expect(raw).not.toMatch(/\bat \S+ \(|node:internal|\.ts:\d+/); // no stack trace
    },
  );

  it("never answers 500 to random Authorization headers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (value) => {
        // Header values cannot carry control characters; HTTP clients refuse to send them.
        const header = value.replace(/[^\x20-\x7e]/g, "");
        const res = await request(app).get("/protected").set("authorization", `Bearer ${header}`);
        expect(res.status).toBe(401);
        expect(res.body.code).toEqual(expect.any(String));
      }),
      { numRuns: 150 },
    );
  });
});
