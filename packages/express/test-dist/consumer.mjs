// An ES module consumer of the built packages (dist), run by src/dist.test.ts.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { clerk, createVerifier, GatehouseError } from "@gatehouse/core";
import {
  authenticate,
  errorHandler,
  getAuth,
  problemDetails,
  requireAuth,
} from "@gatehouse/express";

const require = createRequire(import.meta.url);
// The CommonJS build of the same package: a second copy in one process.
const cjs = require("@gatehouse/express");

const verifier = createVerifier({ issuers: [clerk({ jwtKey: process.env.GATEHOUSE_JWT_KEY })] });
const auth = authenticate(verifier);
const guard = requireAuth({ realm: "api" });
const onError = errorHandler();

const server = createServer((req, res) => {
  auth(req, res, (err) => {
    if (err) {
      return onError(err, req, res, () => {
        res.statusCode = 500;
        res.end();
      });
    }
    // The context stored by the ESM copy is visible to the CJS copy (Symbol.for).
    cjs.requireAuth({ realm: "api" })(req, res, () => {
      guard(req, res, () => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ userId: getAuth(req).userId, cjs: cjs.getAuth(req).userId }));
      });
    });
  });
});

server.listen(0, "127.0.0.1", async () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  const ok = await fetch(url, {
    headers: { authorization: `Bearer ${process.env.GATEHOUSE_TOKEN}` },
  });
  const denied = await fetch(url);
  const result = {
    format: "esm",
    resolved: [import.meta.resolve("@gatehouse/express"), import.meta.resolve("@gatehouse/core")],
    ok: { status: ok.status, body: await ok.json() },
    denied: {
      status: denied.status,
      contentType: denied.headers.get("content-type"),
      challenge: denied.headers.get("www-authenticate"),
      body: await denied.json(),
    },
    problemType: problemDetails(new GatehouseError("forbidden", "x")).type,
    names: [auth.name, guard.name, onError.name, onError.length],
  };
  server.close();
  process.stdout.write(JSON.stringify(result));
});
