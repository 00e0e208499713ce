import { createApp } from "./app.js";
import { createAppVerifier } from "./config.js";

const port = Number(process.env.PORT ?? 3000);
const app = createApp(createAppVerifier());

app.listen(port, "127.0.0.1", () => {
  console.log(`api-basic listening on http://127.0.0.1:${port}`);
  if (!process.env.CLERK_JWT_KEY) {
    console.log("Using local development keys. Mint a token with:");
    console.log(
      "  pnpm --filter @gatehouse/example-api-basic mint-token -- --org org_acme --role admin",
    );
  }
});
