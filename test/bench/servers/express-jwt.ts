/** express-jwt (jsonwebtoken underneath), with the key as a PEM string or a KeyObject. */
import { createPublicKey } from "node:crypto";
import express from "express";
import { expressjwt, type Request as JwtRequest } from "express-jwt";
import { ISSUER } from "../fixtures.js";
import { type CreateListener, ROUTE } from "./config.js";
import { errorHandler } from "./shared.js";

export const create: CreateListener = async (config) => {
  const secret = config.keyForm === "keyobject" ? createPublicKey(config.pem) : config.pem;
  const app = express();
  app.use(expressjwt({ secret, algorithms: ["RS256"], issuer: ISSUER }));
  app.get(ROUTE, (req, res) => {
    res.json({ userId: (req as JwtRequest).auth?.sub });
  });
  app.use(errorHandler);
  return app;
};
