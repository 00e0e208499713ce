/** Gatehouse on bare node:http: `verifier.authenticate(req)` in a plain handler. */
import { clerk, createVerifier } from "@gatehouse/core";
import { AZP, PUBLISHABLE_KEY } from "../fixtures.js";
import type { CreateListener } from "./config.js";
import { jsonHeaders } from "./shared.js";

const UNAUTHORIZED = JSON.stringify({ error: "unauthorized", status: 401 });

export const create: CreateListener = async (config) => {
  const verifier = createVerifier({
    issuers: [clerk({ jwtKey: config.pem, publishableKey: PUBLISHABLE_KEY, authorizedParties: [AZP] })],
    ...(config.cache === false ? { cache: false as const } : {}),
  });
  return (req, res) => {
    verifier.authenticate(req).then(
      (auth) => {
        if (!auth.isSignedIn) {
          res
            .writeHead(401, {
              ...jsonHeaders(UNAUTHORIZED),
              "www-authenticate": 'Bearer error="invalid_token"',
            })
            .end(UNAUTHORIZED);
          return;
        }
        const body = JSON.stringify({ userId: auth.userId });
        res.writeHead(200, jsonHeaders(body)).end(body);
      },
      () => {
        res.writeHead(503).end();
      },
    );
  };
};
