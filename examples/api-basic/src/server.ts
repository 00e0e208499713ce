import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "./app.js";
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
const app = createApp(createAppVerifier(), rbac.authorizer);

app.listen(port, "127.0.0.1", () => {
  console.log(`api-basic listening on http://127.0.0.1:${port} (data: ${dataFile})`);
  if (!process.env.CLERK_JWT_KEY) {
    console.log("Using local development keys. Mint a token with:");
    console.log(
      "  pnpm --filter @gatehouse/example-api-basic mint-token -- --org org_acme --role admin",
    );
  }
});
