/**
 * @clerk/express: `clerkMiddleware()` with a PEM `jwtKey` (networkless verification of Bearer
 * session tokens) and a handler that checks `getAuth(req).userId`.
 */
import { clerkMiddleware, getAuth } from "@clerk/express";
import express from "express";
import { AZP, PUBLISHABLE_KEY, SECRET_KEY } from "../fixtures.js";
import { type CreateListener, ROUTE } from "./config.js";
import { errorHandler } from "./shared.js";

export const create: CreateListener = async (config) => {
  const app = express();
  app.use(
    clerkMiddleware({
      jwtKey: config.pem,
      publishableKey: PUBLISHABLE_KEY,
      secretKey: SECRET_KEY,
      authorizedParties: [AZP],
    }),
  );
  app.get(ROUTE, (req, res) => {
    const { userId } = getAuth(req);
    if (!userId) {
      res.status(401).json({ error: "unauthorized", status: 401 });
      return;
    }
    res.json({ userId });
  });
  app.use(errorHandler);
  return app;
};
