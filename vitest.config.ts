import { defineConfig } from "vitest/config";

// Tests resolve workspace packages to their TypeScript source through the
// `@gatehouse/source` export condition, so no build is needed to run them.
// CI's Node 22 and 24 reruns point better-sqlite3 at version 13 (12 aborts at teardown on
// Node 24; 13 does not run on Node 20).
const betterSqlite3 = process.env.GATEHOUSE_BETTER_SQLITE3;
const resolve = {
  conditions: ["@gatehouse/source", "import", "default"],
  ...(betterSqlite3 ? { alias: { "better-sqlite3": betterSqlite3 } } : {}),
};
const ssr = {
  resolve: { conditions: ["@gatehouse/source"], externalConditions: ["@gatehouse/source"] },
};

export default defineConfig({
  resolve,
  ssr,
  test: {
    // Runs once per `vitest run`, whichever projects are selected (also for
    // `--project unit`): starts a throwaway PostgreSQL and Redis and provides
    // their URLs (`inject("pgUrl")`, `inject("redisUrl")`). Projects below do
    // not set `extends: true`, so they do not run it again.
    globalSetup: ["./test/setup/services.ts"],
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "test/security/**/*.test.ts",
            "test/types/**/*.test.ts",
          ],
          environment: "node",
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: "integration",
          include: [
            "test/integration/**/*.test.ts",
            "test/setup/**/*.test.ts",
            "examples/*/test/**/*.test.ts",
          ],
          environment: "node",
          testTimeout: 30_000,
        },
      },
    ],
  },
});
