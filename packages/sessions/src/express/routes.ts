/**
 * A tiny method + path matcher for the routers, so they need no Express at
 * run time and mount the same way under Express, Connect and `node:http`.
 * Internal.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SignedInAuthContext } from "@gatehouse/core";
import { parseInput } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { type NextFunction, requireAuth } from "@gatehouse/express";
import { z } from "zod";
import { pathId, queryOf, relativePath, withSessionAuth } from "./http.js";

/** A route handler: resolves once it answered; a rejection goes to `next(err)`. */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
  id: string,
) => void | Promise<void>;

/** One route: a method and a path of literal segments and at most one `:id`. */
export interface Route {
  readonly method: string;
  readonly path: string;
  readonly handler: Handler;
}

interface Compiled {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

/** The matched route and its `:id` (percent-decoded), or undefined (the request goes to `next()`). */
export type Matcher = (req: IncomingMessage) => { handler: Handler; id: string } | undefined;

/** Compiles a route table. A malformed `:id` matches no route. */
export function routeTable(routes: readonly Route[]): Matcher {
  const compiled: Compiled[] = routes.map((r) => ({
    method: r.method,
    segments: r.path === "/" ? [] : r.path.slice(1).split("/"),
    handler: r.handler,
  }));
  return (req) => {
    const parts = relativePath(req).slice(1).split("/");
    if (parts.length === 1 && parts[0] === "") parts.length = 0;
    for (const route of compiled) {
      if (route.method !== req.method || route.segments.length !== parts.length) continue;
      let id = "";
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const want = route.segments[i]!;
        if (want === ":id") {
          const value = pathId(parts[i]!);
          if (value === undefined) ok = false;
          else id = value;
        } else if (want !== parts[i]) ok = false;
      }
      if (ok) return { handler: route.handler, id };
    }
    return undefined;
  };
}

/** Runs a handler; a throw or rejection goes to `next(err)` (Express 4 does not catch rejections). */
export function run(
  handler: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
  id: string,
): void {
  let pending: void | Promise<void>;
  try {
    pending = handler(req, res, next, id);
  } catch (err) {
    next(err);
    return;
  }
  if (pending !== undefined) pending.then(undefined, next);
}

/** Parses a request body or query with its zod schema: `input_invalid` (400) naming the field, never echoing the value. */
export function parseBody<S extends z.ZodType>(
  route: string,
  schema: S,
  input: unknown,
): z.output<S> {
  if (input === undefined && !schema.safeParse(input).success) {
    throw new GatehouseError("input_invalid", `${route}: a JSON body is required.`);
  }
  return parseInput(route, schema, input);
}

const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(1000).optional(),
});

/** Reads `?limit=&cursor=` (each at most once). */
export function readPageQuery(
  route: string,
  req: IncomingMessage,
): { limit?: number; cursor?: string } {
  const raw: Record<string, string> = Object.create(null);
  for (const [key, value] of queryOf(req)) {
    if (Object.hasOwn(raw, key))
      throw new GatehouseError("input_invalid", `${route}: "${key}" is repeated.`);
    raw[key] = value;
  }
  return parseBody(route, listQuery, raw);
}

/** A route handler that runs with the caller's accepted signed-in context. */
export type SignedInHandler<A extends SignedInAuthContext = SignedInAuthContext> = (
  auth: A,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
) => Promise<void>;

/**
 * Wraps handlers that need a signed-in caller whose credential `accept` takes
 * (else `refusal` → 403; signed out → requireAuth's 401); rejections go to `next`.
 */
export function signedInRoutes<A extends SignedInAuthContext = SignedInAuthContext>(
  accept: (auth: SignedInAuthContext) => string | null,
): (then: SignedInHandler<A>) => Handler {
  const signedOut = requireAuth();
  return (then) => (req, res, next, id) =>
    withSessionAuth(req, res, next, signedOut, accept, (auth) => {
      then(auth as A, req, res, id).then(undefined, next);
    });
}
