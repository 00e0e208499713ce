/** Baseline: bare node:http, no authentication. The Authorization header is sent and ignored. */
import type { CreateListener } from "./config.js";
import { BASELINE_BODY, jsonHeaders } from "./shared.js";

export const create: CreateListener = async () => {
  const headers = jsonHeaders(BASELINE_BODY);
  return (_req, res) => {
    res.writeHead(200, headers).end(BASELINE_BODY);
  };
};
