/** Pieces every benchmark server shares, so the only difference between them is auth. */
import type { ErrorRequestHandler } from "express";
import { USER_ID } from "../fixtures.js";

/** The body the no-auth baselines send: byte-identical to what the auth servers send. */
export const BASELINE_BODY = JSON.stringify({ userId: USER_ID });

/** Headers of a JSON response from node:http, as Express's `res.json` sets them. */
export function jsonHeaders(body: string): Record<string, string | number> {
  return {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  };
}

/** A minimal error handler: the status the middleware chose (401 for refused tokens), JSON body. */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const e = err as { status?: number; statusCode?: number; code?: string };
  const status = e.status ?? e.statusCode ?? 500;
  res.status(status).json({ error: e.code ?? "error", status });
};
