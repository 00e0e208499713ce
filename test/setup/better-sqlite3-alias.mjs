// CI's Node 22 and 24 runs use another better-sqlite3 major (12 aborts at exit on Node 24,
// 13 does not run on Node 20). vitest.config.ts aliases it inside vitest; this hook does the
// same for child processes the tests spawn (CLIs, crash fixtures), which inherit NODE_OPTIONS.
// Active only when GATEHOUSE_BETTER_SQLITE3 names the package directory to use.
import { register } from "node:module";

if (process.env.GATEHOUSE_BETTER_SQLITE3) {
  register(new URL("./better-sqlite3-hooks.mjs", import.meta.url));
}
