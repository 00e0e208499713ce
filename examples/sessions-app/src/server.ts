import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { SessionTransportOptions } from "@gatehouse/sessions/express";
import { createApp } from "./app.js";
import { DATA_DIR, loadSecret } from "./secrets.js";
import { openSessions } from "./sessions.js";

const port = Number(process.env.PORT ?? 3001);
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
// The embedded default: one SQLite file next to the example (git-ignored).
const dataFile = process.env.SESSIONS_APP_SQLITE ?? join(DATA_DIR, "sessions-app.sqlite");
mkdirSync(dirname(dataFile), { recursive: true });

// GATEHOUSE_SECRET encrypts signing keys at rest and keys API-key hashes; without it a
// development secret is generated once into .data/dev-secret (git-ignored).
const secret = loadSecret("GATEHOUSE_SECRET", "dev-secret");
// The development admin check of POST /admin/users/:userId/sign-out: a shared token.
const adminToken = loadSecret("ADMIN_TOKEN", "admin-token");

// SESSIONS_TRANSPORT=cookie keeps tokens in HttpOnly cookies; over http://localhost
// that needs cookies without Secure (and so without the __Host- prefix).
const transport: SessionTransportOptions =
  process.env.SESSIONS_TRANSPORT === "cookie"
    ? {
        transport: "cookie",
        ...(publicUrl.startsWith("http://")
          ? { cookies: { secure: false, insecureDevCookies: true } }
          : {}),
      }
    : { transport: "bearer" };

const { sessions } = await openSessions({ file: dataFile, secret, publicUrl });
const app = createApp({ sessions, transport, adminToken, nodeEnv: process.env.NODE_ENV });

// Ended sessions and used refresh tokens are deleted after the retention period.
setInterval(() => {
  sessions.sweep().catch((err: unknown) => console.error("sweep failed:", err));
}, 3_600_000).unref();

app.listen(port, "127.0.0.1", () => {
  console.log(
    `sessions-app listening on ${publicUrl} (${transport.transport} transport, data: ${dataFile})`,
  );
  if (!process.env.ADMIN_TOKEN) console.log(`dev admin token: in ${join(DATA_DIR, "admin-token")}`);
});
