/**
 * Baseline: Express 5 with the same middleware layout as the Gatehouse server (one app-wide
 * middleware, one route guard before the handler) but both are no-ops. The gap between this
 * row and bare Express is what two Express layers cost, whatever they do.
 */
import express, { type RequestHandler } from "express";
import { USER_ID } from "../fixtures.js";
import { type CreateListener, ROUTE } from "./config.js";
import { errorHandler } from "./shared.js";

const authenticate: RequestHandler = function authenticate(_req, _res, next) {
  next();
};
const requireAuth: RequestHandler = function requireAuth(_req, _res, next) {
  next();
};

export const create: CreateListener = async () => {
  const app = express();
  app.use(authenticate);
  app.get(ROUTE, requireAuth, (_req, res) => {
    res.json({ userId: USER_ID });
  });
  app.use(errorHandler);
  return app;
};
