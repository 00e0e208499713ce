import type { Verifier } from "@gatehouse/core";
import { authenticate, errorHandler, getAuth, requireAuth } from "@gatehouse/express";
import type { Authorizer } from "@gatehouse/rbac";
import { createGuards } from "@gatehouse/rbac/express";
import express, { type Express } from "express";
import { INVOICES_MANAGE, INVOICES_READ } from "./rbac.js";

/**
 * The example API: `/health` is public, `/whoami` says who is calling (or why
 * nobody is), everything under `/api` needs a valid session token, and the
 * organization's invoices under `/orgs/:orgId` are guarded by role and permission.
 */
export function createApp(verifier: Verifier, authorizer: Authorizer): Express {
  const guard = createGuards(authorizer, { orgParam: "orgId" });
  const app = express();
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

  app.use(errorHandler());
  return app;
}
