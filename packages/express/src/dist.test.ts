// Checks the package as built: the CommonJS and ESM outputs in dist/, loaded by
// plain `node` (no source condition), with @gatehouse/core's dist next to it.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateTestKeys, mintClerkToken } from "@gatehouse/testing";
import { beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const expressDir = join(here, "..");
const root = join(expressDir, "../..");
const coreDir = join(root, "packages/core");
const tsup = join(root, "node_modules/.bin/tsup");

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of ["package.json", "tsup.config.ts"]) {
    newest = Math.max(newest, statSync(join(dir, name)).mtimeMs);
  }
  for (const file of readdirSync(join(dir, "src"), { recursive: true })) {
    const path = join(dir, "src", String(file));
    if (!String(file).endsWith(".test.ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds a package with tsup when its dist is missing or older than its sources. */
function ensureBuilt(dir: string): void {
  const outputs = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"];
  const stale = outputs.some(
    (f) => !existsSync(join(dir, f)) || statSync(join(dir, f)).mtimeMs < newestSource(dir),
  );
  if (!stale) return;
  if (!existsSync(tsup))
    throw new Error(`tsup not found at ${tsup}: run \`pnpm install\` in ${root}`);
  try {
    execFileSync(tsup, [], { cwd: dir, stdio: "pipe" });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `building ${dir} with tsup failed:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`,
    );
  }
}

function runConsumer(file: string, env: Record<string, string>): Record<string, unknown> {
  const out = execFileSync(process.execPath, [join(expressDir, "test-dist", file)], {
    cwd: expressDir,
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: 20_000,
  });
  return JSON.parse(out.toString());
}

describe("built package (dist)", () => {
  const keys = generateTestKeys();
  let env: Record<string, string>;

  beforeAll(async () => {
    ensureBuilt(coreDir);
    ensureBuilt(expressDir);
    env = {
      GATEHOUSE_JWT_KEY: keys.publicKeyPem,
      GATEHOUSE_TOKEN: await mintClerkToken(keys, { userId: "user_dist", expiresInSec: 300 }),
    };
  }, 180_000);

  const expected = {
    denied: {
      status: 401,
      contentType: "application/problem+json",
      challenge: 'Bearer realm="api"',
      body: {
        type: "https://gatehouse.dev/errors/token_missing",
        title: "Unauthorized",
        status: 401,
        detail: "No credential was presented.",
        code: "token_missing",
      },
    },
    problemType: "https://gatehouse.dev/errors/forbidden",
    names: ["authenticate", "requireAuth", "gatehouseErrorHandler", 4],
  };

  it("works from CommonJS (require)", () => {
    const result = runConsumer("consumer.cjs", env);
    expect(result).toEqual({
      format: "cjs",
      resolved: [
        join(expressDir, "dist/index.cjs"),
        expect.stringMatching(/packages\/core\/dist\/index\.cjs$/),
      ],
      ok: { status: 200, body: { userId: "user_dist" } },
      ...expected,
    });
  });

  it("works from ESM (import), sharing the context with the CJS copy", () => {
    const result = runConsumer("consumer.mjs", env);
    expect(result).toEqual({
      format: "esm",
      resolved: [
        `file://${join(expressDir, "dist/index.js")}`,
        expect.stringMatching(/packages\/core\/dist\/index\.js$/),
      ],
      ok: { status: 200, body: { userId: "user_dist", cjs: "user_dist" } },
      ...expected,
    });
  });
});
