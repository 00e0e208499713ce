import type { IncomingMessage, ServerResponse } from "node:http";
import { parseOptions, type SignedInAuthContext } from "@gatehouse/core";
import { GatehouseError } from "@gatehouse/core/errors";
import { type Middleware, type NextFunction, requireAuth } from "@gatehouse/express";
import { z } from "zod";
import type { ApiKeyInfo, Sessions } from "../types.js";
import { readJsonBody } from "./body.js";
import { notFound, sendJson, sendNoContent } from "./http.js";
import { parseBody, readPageQuery, routeTable, run, signedInRoutes } from "./routes.js";
import { assertSessions } from "./service.js";

/** Options of {@link apiKeyRouter}. */
export interface ApiKeyRouterOptions {
  /**
   * The scopes users may put on their keys (your API's scope catalogue). A
   * request for any other scope is refused with 400 `input_invalid`.
   *
   * @default undefined (any well-formed scope)
   */
  allowedScopes?: readonly string[];
}

const SCOPE = /^[a-z0-9_:.*-]{1,64}$/;

const optionsSchema = z.strictObject({
  allowedScopes: z
    .array(z.string().regex(SCOPE, `must match ${SCOPE}`))
    .max(1000)
    .optional(),
});

const createBody = z.strictObject({
  name: z.string().min(1).max(100),
  scopes: z.array(z.string().max(64)).max(50).optional(),
  expiresInSec: z.number().int().positive().optional(),
  kind: z.enum(["secret", "publishable"]).optional(),
});
const rotateBody = z.strictObject({ overlapSec: z.number().int().min(0).optional() }).optional();

/**
 * Self-service API keys for the signed-in user, as one `(req, res, next)`
 * function routing relative to its mount point (Express 4/5, Connect):
 *
 * | route | body | answer |
 * |---|---|---|
 * | `GET /` | | 200 `{ apiKeys, nextCursor }` (`?limit=&cursor=`), never the keys themselves |
 * | `POST /` | `{ name, scopes?, expiresInSec?, kind? }` | 201 `{ key, apiKey }` — `key` is shown this once |
 * | `DELETE /:id` | | 204; the key is refused everywhere within about a second |
 * | `POST /:id/rotate` | `{ overlapSec? }` | 201 `{ key, apiKey }`; the old key works `overlapSec` more (default a day) |
 *
 * The subject of every key is the caller (`getAuth(req).userId`); a body
 * cannot name another. Only session tokens may manage keys: an API key gets
 * 403 `forbidden`, so a leaked key cannot mint more or extend itself. Another
 * user's key id answers 404 `not_found`, like one that does not exist.
 * Signed out → 401 as `requireAuth()` answers. Answers carrying a key have
 * `Cache-Control: no-store` (all answers here do).
 *
 * In cookie mode, put `csrfProtection()` in front of it (JSON bodies already
 * need a CORS preflight cross-site, but `DELETE` deserves the same guard as
 * the session routes). Errors go to `next(err)` for `errorHandler()`.
 *
 * @param sessions - From `createSessions()`.
 * @param options - See {@link ApiKeyRouterOptions}.
 * @returns A named `(req, res, next)` middleware.
 * @throws GatehouseError `config_invalid` at start-up when an argument is invalid.
 * @example
 * ```ts
 * app.use("/api-keys", apiKeyRouter(sessions, { allowedScopes: ["reports:read"] }));
 * app.get("/api/reports", requireScope("reports:read"), listReports);
 * ```
 */
export function apiKeyRouter(sessions: Sessions, options?: ApiKeyRouterOptions): Middleware {
  assertSessions("apiKeyRouter()", sessions);
  const o = parseOptions("apiKeyRouter()", optionsSchema, options ?? {});
  const allowed = o.allowedScopes === undefined ? undefined : new Set(o.allowedScopes);
  const _signedOut = requireAuth();
  const keys = sessions.apiKeys;

  const accept = (auth: SignedInAuthContext): string | null => {
    if (auth.tokenType === "api_key") return "An API key cannot manage API keys; sign in.";
    if (auth.tokenType !== "session_token") return "Only a signed-in user can manage API keys.";
    return null;
  };

  const signedIn = signedInRoutes(accept);

  /** The caller's key, or 404 for a missing key and for someone else's. */
  const ownKey = async (auth: SignedInAuthContext, id: string): Promise<ApiKeyInfo> => {
    const key = await keys.get(id);
    if (key === undefined || key.subject !== auth.userId) throw notFound("The API key");
    return key;
  };

  const list = signedIn(async (auth, req, res) => {
    const page = await keys.list(auth.userId, readPageQuery("GET /api-keys", req));
    sendJson(res, 200, { apiKeys: page.items, nextCursor: page.nextCursor });
  });

  const create = signedIn(async (auth, req, res) => {
    const body = parseBody("POST /api-keys", createBody, await readJsonBody(req));
    if (allowed !== undefined) {
      for (const scope of body.scopes ?? []) {
        if (!allowed.has(scope)) {
          throw new GatehouseError(
            "input_invalid",
            `POST /api-keys: "scopes": ${JSON.stringify(scope.slice(0, 64))} is not a scope you may grant.`,
          );
        }
      }
    }
    const created = await keys.create({
      subject: auth.userId,
      name: body.name,
      ...(body.scopes === undefined ? {} : { scopes: body.scopes }),
      ...(body.expiresInSec === undefined ? {} : { expiresInSec: body.expiresInSec }),
      ...(body.kind === undefined ? {} : { kind: body.kind }),
      createdBy: auth.userId,
    });
    sendJson(res, 201, { key: created.key, apiKey: created.apiKey });
  });

  const revoke = signedIn(async (auth, _req, res, id) => {
    await ownKey(auth, id);
    await keys.revoke(id, { by: auth.userId });
    sendNoContent(res);
  });

  const rotate = signedIn(async (auth, req, res, id) => {
    const body = parseBody("POST /api-keys/:id/rotate", rotateBody, await readJsonBody(req));
    await ownKey(auth, id);
    const created = await keys.rotate(id, {
      ...(body?.overlapSec === undefined ? {} : { overlapSec: body.overlapSec }),
      by: auth.userId,
    });
    sendJson(res, 201, { key: created.key, apiKey: created.apiKey });
  });

  const match = routeTable([
    { method: "GET", path: "/", handler: list },
    { method: "POST", path: "/", handler: create },
    { method: "DELETE", path: "/:id", handler: revoke },
    { method: "POST", path: "/:id/rotate", handler: rotate },
  ]);

  return function apiKeyRouter(req: IncomingMessage, res: ServerResponse, next: NextFunction) {
    const found = match(req);
    if (found === undefined) return next();
    run(found.handler, req, res, next, found.id);
  };
}
