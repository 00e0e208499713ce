// A CommonJS consumer of the built packages (dist), run by src/dist.test.ts.
"use strict";
const http = require("node:http");
const {
  authenticate,
  errorHandler,
  getAuth,
  problemDetails,
  requireAuth,
} = require("@gatehouse/express");
const { clerk, createVerifier, GatehouseError } = require("@gatehouse/core");

const verifier = createVerifier({ issuers: [clerk({ jwtKey: process.env.GATEHOUSE_JWT_KEY })] });
const auth = authenticate(verifier);
const guard = requireAuth({ realm: "api" });
const onError = errorHandler();

const server = http.createServer((req, res) => {
  auth(req, res, (err) => {
    if (err) {
      return onError(err, req, res, () => {
        res.statusCode = 500;
        res.end();
      });
    }
    guard(req, res, () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ userId: getAuth(req).userId }));
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
    format: "cjs",
    resolved: [require.resolve("@gatehouse/express"), require.resolve("@gatehouse/core")],
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
