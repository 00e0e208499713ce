#!/usr/bin/env node
// Checks every publishable package as it will be published: packs it with pnpm
// (which applies publishConfig), then runs publint --strict and
// @arethetypeswrong/cli on the tarball, and type-checks a consumer that
// imports each entry point from the packed dist (ESM and CJS).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: "inherit" });

const packages = readdirSync(join(root, "packages"))
  .map((dir) => join(root, "packages", dir))
  .filter((dir) => {
    try {
      return !JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).private;
    } catch {
      return false;
    }
  });

/** A package without a `require` condition is ESM-only (its peers are, e.g. vitest). */
const isEsmOnly = (pkg) =>
  !JSON.stringify(pkg.publishConfig?.exports ?? pkg.exports).includes('"require"');

const out = mkdtempSync(join(tmpdir(), "gatehouse-pack-"));
let failed = 0;
const tarballs = [];
for (const dir of packages) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  console.log(`\n── ${pkg.name}`);
  const before = new Set(readdirSync(out));
  run("pnpm", ["pack", "--pack-destination", out], dir);
  const tarball = join(
    out,
    readdirSync(out).find((f) => !before.has(f)),
  );
  tarballs.push({ pkg, tarball });
  try {
    run(bin("publint"), ["run", tarball, "--strict"], root);
    run(bin("attw"), [tarball, "--profile", isEsmOnly(pkg) ? "esm-only" : "node16"], root);
  } catch {
    failed++;
  }
}

// A consumer project that installs the tarballs and type-checks imports of every entry point.
const consumer = join(out, "consumer");
mkdirSync(consumer);
const entryPoints = ({ pkg }) =>
  Object.keys(pkg.publishConfig?.exports ?? pkg.exports)
    .filter((k) => k !== "./package.json")
    .map((k) => (k === "." ? pkg.name : `${pkg.name}/${k.slice(2)}`));
const entries = tarballs.flatMap(entryPoints);
const cjsEntries = tarballs.filter(({ pkg }) => !isEsmOnly(pkg)).flatMap(entryPoints);
writeFileSync(
  join(consumer, "package.json"),
  JSON.stringify({
    name: "consumer",
    private: true,
    type: "module",
    dependencies: {
      "@types/node": "^20.19.0",
      ...Object.fromEntries(tarballs.map(({ pkg, tarball }) => [pkg.name, `file:${tarball}`])),
    },
    pnpm: {
      overrides: Object.fromEntries(
        tarballs.map(({ pkg, tarball }) => [pkg.name, `file:${tarball}`]),
      ),
    },
  }),
);
writeFileSync(
  join(consumer, "esm.mts"),
  entries.map((e, i) => `import * as m${i} from "${e}";\nvoid m${i};`).join("\n"),
);
writeFileSync(
  join(consumer, "cjs.cts"),
  entries.map((e, i) => `import m${i} = require("${e}");\nvoid m${i};`).join("\n"),
);
writeFileSync(
  join(consumer, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      module: "nodenext",
      moduleResolution: "nodenext",
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      types: ["node"],
    },
    files: ["esm.mts", "cjs.cts"],
  }),
);
try {
  run(
    "pnpm",
    ["install", "--ignore-workspace", "--prefer-offline", "--config.confirmModulesPurge=false"],
    consumer,
  );
  run(bin("tsc"), ["-p", consumer], consumer);
  const smoke = cjsEntries.map((e) => `require(${JSON.stringify(e)});`).join("");
  run(process.execPath, ["-e", smoke], consumer);
  run(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      entries.map((e) => `await import(${JSON.stringify(e)});`).join(""),
    ],
    consumer,
  );
  console.log(
    `\nconsumer: ${entries.length} entry points type-check and load from ESM (${cjsEntries.length} also from CJS)`,
  );
} catch {
  failed++;
}
rmSync(out, { recursive: true, force: true });
if (failed > 0) {
  console.error(`\n${failed} packaging check(s) failed`);
  process.exit(1);
}
console.log("\nall packages pass publint --strict, attw and the consumer check");
