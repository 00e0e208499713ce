import { defineConfig } from "vitest/config";

// Tests resolve workspace packages to their TypeScript source through the
// `@gatehouse/source` export condition, so no build is needed to run them.
const resolve = { conditions: ["@gatehouse/source", "import", "default"] };
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
