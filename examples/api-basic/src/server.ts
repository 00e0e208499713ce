import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "./app.js";
import { createAppAudit } from "./audit.js";
import { createAppVerifier } from "./config.js";
import { createAppRbac } from "./rbac.js";

const port = Number(process.env.PORT ?? 3000);
// The embedded default: one SQLite file next to the example (git-ignored).
const dataFile =
  process.env.API_BASIC_SQLITE ??
  join(dirname(fileURLToPath(import.meta.url)), "..", ".data", "api-basic.sqlite");
mkdirSync(dirname(dataFile), { recursive: true });

const rbac = await createAppRbac(dataFile);
rbac.events.on("authz.denied", (event) => {
  console.log(
    `denied ${event.data.userId ?? "anonymous"}: ${event.data.rule} (${event.data.reason})`,
  );
});
// The audit trail in the same file; a fixed spool directory, so what a crash
// leaves unwritten is replayed at the next start.
const audit = createAppAudit(rbac.store.records, rbac.events, {
  stream: "api-basic",
  spoolDir: join(dirname(dataFile), "audit-spool"),
});
const app = createApp(createAppVerifier(), rbac.authorizer, audit);

const server = app.listen(port, "127.0.0.1", () => {
  console.log(`api-basic listening on http://127.0.0.1:${port} (data: ${dataFile})`);
  if (!process.env.CLERK_JWT_KEY) {
    console.log("Using local development keys. Mint a token with:");
    console.log(
      "  pnpm --filter @gatehouse/example-api-basic mint-token -- --org org_acme --role admin",
    );
  }
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    // Write what the audit log still holds before exiting.
    audit.close().finally(() => rbac.store.close().finally(() => process.exit(0)));
  });
}
