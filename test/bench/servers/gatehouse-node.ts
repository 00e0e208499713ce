/** Gatehouse on bare node:http: `authenticateSync(req)`, else `authenticate(req)`, in a plain handler. */
import type { ServerResponse } from "node:http";
import { type AuthContext, clerk, createVerifier } from "@gatehouse/core";
import { AZP, PUBLISHABLE_KEY } from "../fixtures.js";
import type { CreateListener } from "./config.js";
import { jsonHeaders } from "./shared.js";

const UNAUTHORIZED = JSON.stringify({ error: "unauthorized", status: 401 });

export const create: CreateListener = async (config) => {
  const verifier = createVerifier({
    issuers: [
      clerk({ jwtKey: config.pem, publishableKey: PUBLISHABLE_KEY, authorizedParties: [AZP] }),
    ],
    ...(config.cache === false ? { cache: false as const } : {}),
  });
  const respond = (res: ServerResponse, auth: AuthContext) => {
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
  };
  return (req, res) => {
    // Answer synchronously from the verified-token cache when possible, else verify.
    const known = verifier.authenticateSync(req);
    if (known !== undefined) return respond(res, known);
    verifier.authenticate(req).then(
      (auth) => respond(res, auth),
      () => res.writeHead(503).end(),
    );
  };
};
