/**
 * express-oauth2-jwt-bearer (Auth0): `auth()` with the issuer's JWKS served on 127.0.0.1 by
 * the bench. It requires an audience, so it is sent the same token with an `aud` claim added.
 */
import express from "express";
import { auth } from "express-oauth2-jwt-bearer";
import { AUDIENCE, ISSUER } from "../fixtures.js";
import { type CreateListener, ROUTE } from "./config.js";
import { errorHandler } from "./shared.js";

export const create: CreateListener = async (config) => {
  const app = express();
  app.use(
    auth({ issuer: ISSUER, jwksUri: config.jwksUri, audience: AUDIENCE, tokenSigningAlg: "RS256" }),
  );
  app.get(ROUTE, (req, res) => {
    const { auth: result } = req as unknown as { auth?: { payload: { sub?: string } } };
    res.json({ userId: result?.payload.sub });
  });
  app.use(errorHandler);
  return app;
};
