#!/usr/bin/env node
// Type-checks the TypeScript code blocks of every README and docs/ page, so the
// docs cannot drift from the API. A block fenced as ```ts is checked as its own
// module. A block fenced as ```ts fragment is checked after the page's context:
// the body of an `<!-- docs-context ... -->` comment (imports and `declare`s).
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
  const context = /<!-- docs-context\n([\s\S]*?)-->/.exec(text)?.[1] ?? "";
  let i = 0;
  for (const match of text.matchAll(/^```ts( fragment)?\n([\s\S]*?)^```$/gm)) {
    const name = `${page.replace(/[/.]/g, "_")}_${++i}.ts`;
    const prelude = match[1] ? context : "";
    writeFileSync(join(out, name), `// ${page} block ${i}\n${prelude}${match[2]}\nexport {};\n`);
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
