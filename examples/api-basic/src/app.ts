import type { Verifier } from "@gatehouse/core";
import { authenticate, errorHandler, getAuth, requireAuth } from "@gatehouse/express";
import express, { type Express } from "express";

/**
 * The example API: `/health` is public, `/whoami` says who is calling (or why
 * nobody is), and everything under `/api` needs a valid session token.
 */
export function createApp(verifier: Verifier): Express {
  const app = express();
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

  app.get("/api/invoices", (req, res) => {
    const auth = getAuth(req);
    if (!auth.has({ permission: "org:invoices:read" })) {
      res.status(403).json({ error: "You need org:invoices:read." });
      return;
    }
    res.json({ orgId: auth.orgId, invoices: [{ id: "inv_1", total: 4200 }] });
  });

  app.use(errorHandler());
  return app;
}
