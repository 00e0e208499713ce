// Resolve hook registered by better-sqlite3-alias.mjs: `better-sqlite3` → GATEHOUSE_BETTER_SQLITE3.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const target = process.env.GATEHOUSE_BETTER_SQLITE3;
const url = target ? pathToFileURL(createRequire(import.meta.url).resolve(target)).href : undefined;

export async function resolve(specifier, context, next) {
  if (url !== undefined && specifier === "better-sqlite3") return { url, shortCircuit: true };
  return next(specifier, context);
}
