import { defineConfig, type Options } from "tsup";

/**
 * The one build config every package shares: ESM + CJS with `.d.ts`/`.d.cts`
 * pairs (ESM only for packages whose peers are ESM-only, like vitest), Node 20
 * target, no bundled dependencies. Package configs list entries only.
 */
export function gatehouseBuild(
  entry: Record<string, string>,
  formats: ("esm" | "cjs")[] = ["esm", "cjs"],
): Options | Options[] {
  return defineConfig({
    entry,
    format: formats,
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    platform: "node",
    splitting: true,
    treeshake: true,
    // Middleware factories return named functions (`function requireAuth(...)`); keep the names.
    keepNames: true,
  }) as Options;
}
