/** Baseline: bare node:http, no authentication. The Authorization header is sent and ignored. */

import { USER_ID } from "../fixtures.js";
import type { CreateListener } from "./config.js";
import { jsonHeaders } from "./shared.js";

export const create: CreateListener = async () => {
  // Builds its response like the Gatehouse node:http server does, so the rows differ by auth only.
  return (_req, res) => {
    const body = JSON.stringify({ userId: USER_ID });
    res.writeHead(200, jsonHeaders(body)).end(body);
  };
};
