import { auditRequests, auditRouter } from "@gatehouse/audit/express";
import type { Verifier } from "@gatehouse/core";
import { authenticate, errorHandler, getAuth, requireAuth } from "@gatehouse/express";
import type { Authorizer } from "@gatehouse/rbac";
import { createGuards } from "@gatehouse/rbac/express";
import express, { type Express, type Request } from "express";
import type { AppAudit } from "./audit.js";
import { INVOICES_MANAGE, INVOICES_READ } from "./rbac.js";

/**
 * The example API: `/health` is public, `/whoami` says who is calling (or why
 * nobody is), everything under `/api` needs a valid session token, and the
 * organization's invoices under `/orgs/:orgId` are guarded by role and permission.
 * Every request but `/health` is recorded in the audit trail, which each
 * organization's admins read at `/orgs/:orgId/audit`.
 */
export function createApp(verifier: Verifier, authorizer: Authorizer, audit: AppAudit): Express {
  const guard = createGuards(authorizer, { orgParam: "orgId" });
  const app = express();
  // First, so requests refused by authentication or a guard are recorded too.
  app.use(auditRequests(audit.log, { skipPaths: ["/health"] }));
  app.use(express.json());
  app.disable("x-powered-by");
  app.use(authenticate(verifier));

  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });

  app.get("/whoami", (req, res) => {
    const auth = getAuth(req);
    if (!auth.isSignedIn) {
      res.json({ signedIn: false, reason: auth.reason });
      return;
    }
    res.json({ signedIn: true, userId: auth.userId, orgId: auth.orgId });
  });

  app.use("/api", requireAuth());

  app.get("/api/me", (req, res) => {
    const auth = getAuth(req);
    res.json({
      userId: auth.userId,
      sessionId: auth.sessionId,
      orgId: auth.orgId,
      orgRole: auth.orgRole,
      orgPermissions: auth.orgPermissions,
    });
  });

  const invoices = [{ id: "inv_1", total: 4200 }];

  app.get("/orgs/:orgId/invoices", guard.requirePermission(INVOICES_READ), (req, res) => {
    res.json({ orgId: req.params.orgId, invoices });
  });

  app.post("/orgs/:orgId/invoices", guard.requirePermission(INVOICES_MANAGE), (req, res) => {
    const invoice = { id: `inv_${invoices.length + 1}`, total: Number(req.body?.total ?? 0) };
    invoices.push(invoice);
    res.status(201).json(invoice);
  });

  app.delete("/orgs/:orgId/invoices/:id", guard.requireOrgAdmin, (req, res) => {
    res.json({ deleted: req.params.id });
  });

  // The organization's trail, for its admins: GET /orgs/:orgId/audit/events and /export.
  app.use(
    "/orgs/:orgId/audit",
    auditRouter(audit.query, {
      guard: guard.requireOrgAdmin,
      scope: (req: Request<{ orgId: string }>) => ({ orgId: req.params.orgId }),
    }),
  );

  app.use(errorHandler());
  return app;
}
