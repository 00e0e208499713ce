/**
 * Gatehouse on Express 5: `app.use(authenticate(verifier))`, `requireAuth()` on the route, the
 * handler reading `getAuth(req).userId`, `errorHandler()` last. Warm (default verified-token
 * cache) or cold (`cache: false`: every request pays a full RSA verification).
 */
import { clerk, createVerifier } from "@gatehouse/core";
import { authenticate, errorHandler, getAuth, requireAuth } from "@gatehouse/express";
import express from "express";
import { AZP, PUBLISHABLE_KEY } from "../fixtures.js";
import { type CreateListener, ROUTE } from "./config.js";

export const create: CreateListener = async (config) => {
  const verifier = createVerifier({
    issuers: [
      clerk({ jwtKey: config.pem, publishableKey: PUBLISHABLE_KEY, authorizedParties: [AZP] }),
    ],
    ...(config.cache === false ? { cache: false as const } : {}),
  });
  const app = express();
  app.use(authenticate(verifier));
  app.get(ROUTE, requireAuth(), (req, res) => {
    res.json({ userId: getAuth(req).userId });
  });
  app.use(errorHandler());
  return app;
};
