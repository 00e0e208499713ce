#!/usr/bin/env node
// Type-checks the TypeScript code blocks of every README and docs/ page, so the
// docs cannot drift from the API. A block fenced as ```ts is checked as its own
// module; fence a deliberate fragment as ```ts fragment to skip it.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = join(root, "test", ".docs");
const pages = [
  "README.md",
  ...["packages", "examples"].flatMap((dir) =>
    readdirSync(join(root, dir))
      .map((name) => join(dir, name, "README.md"))
      .filter((p) => existsSync(join(root, p))),
  ),
  ...(existsSync(join(root, "docs"))
    ? readdirSync(join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => join("docs", f))
    : []),
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let blocks = 0;
for (const page of pages) {
  const text = readFileSync(join(root, page), "utf8");
  let i = 0;
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const name = `${page.replace(/[/.]/g, "_")}_${++i}.ts`;
    writeFileSync(join(out, name), `// ${page} block ${i}\n${match[1]}\nexport {};\n`);
    blocks++;
  }
}
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../../tsconfig.base.json",
    compilerOptions: { noUnusedLocals: false },
    include: ["*.ts"],
  }),
);
console.log(`type-checking ${blocks} code blocks from ${pages.length} pages`);
try {
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", relative(root, out)], {
    cwd: root,
    stdio: "inherit",
  });
} catch {
  console.error("a documentation code block does not type-check (see above)");
  process.exit(1);
}
