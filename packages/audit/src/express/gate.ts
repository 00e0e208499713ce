/**
 * Who may read an audit trail, and which part: signed in (else 401), past
 * the optional guard, and given a scope by the app (else 403). Internal.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { GatehouseError } from "@gatehouse/core/errors";
import { getAuth, type Middleware, type NextFunction } from "@gatehouse/express";

/** The part of the trail a request may read: one organization's events. */
export interface AuditScope {
  readonly orgId: string;
}

/** Decides a request's scope; `null` (or `undefined`) refuses it with 403. */
export type ScopeResolver<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
) => AuditScope | null | undefined | Promise<AuditScope | null | undefined>;

const ORG_ID = /^[\x21-\x7E]{1,255}$/;

function refuse(): GatehouseError {
  return new GatehouseError("forbidden", "You may not read this audit trail.");
}

/**
 * Runs `then` with the request's scope, or answers: signed out → `signedOut`
 * (requireAuth's 401), the guard refuses → the guard's answer, no scope →
 * `next(forbidden)`, a failing resolver → `next(err)`.
 */
export function withScope<Req extends IncomingMessage>(
  req: Req,
  res: ServerResponse,
  next: NextFunction,
  settings: { signedOut: Middleware; guard: Middleware | undefined; scope: ScopeResolver<Req> },
  then: (scope: AuditScope) => void,
): void {
  let signedIn: boolean;
  try {
    signedIn = getAuth(req).isSignedIn;
  } catch (err) {
    next(err);
    return;
  }
  if (!signedIn) {
    settings.signedOut(req, res, next);
    return;
  }
  const resolve = () => {
    let pending: ReturnType<ScopeResolver<Req>>;
    try {
      pending = settings.scope(req);
    } catch (err) {
      next(err);
      return;
    }
    Promise.resolve(pending).then((scope) => {
      if (scope === null || scope === undefined) return next(refuse());
      if (typeof scope.orgId !== "string" || !ORG_ID.test(scope.orgId)) {
        return next(
          new GatehouseError(
            "config_invalid",
            "auditRouter(): scope() must return { orgId } or null.",
          ),
        );
      }
      then(Object.freeze({ orgId: scope.orgId }));
    }, next);
  };
  if (settings.guard === undefined) {
    resolve();
    return;
  }
  settings.guard(req, res, (err) => (err === undefined || err === null ? resolve() : next(err)));
}
