/** Baseline: Express 5, no authentication. The Authorization header is sent and ignored. */
import express from "express";
import { USER_ID } from "../fixtures.js";
import type { CreateListener } from "./config.js";
import { ROUTE } from "./config.js";
import { errorHandler } from "./shared.js";

export const create: CreateListener = async () => {
  const app = express();
  app.get(ROUTE, (_req, res) => {
    res.json({ userId: USER_ID });
  });
  app.use(errorHandler);
  return app;
};
