import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the example keeps its SQLite file and development secrets (git-ignored). */
export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", ".data");

/** A development secret and where it came from. */
export interface LoadedSecret {
  readonly value: string;
  /** `env` (the variable), `file` (generated earlier) or `generated` (just now). */
  readonly source: "env" | "file" | "generated";
  readonly path: string;
}

/**
 * A secret from `env[name]`, or else one made by `generate` on first run into
 * `dir/file` (mode 0600) and read back on later runs. Refused in production:
 * set the variable.
 */
export function loadSecret(
  name: string,
  file: string,
  generate: () => string = () => randomBytes(32).toString("base64url"),
  env: NodeJS.ProcessEnv = process.env,
  dir: string = DATA_DIR,
): LoadedSecret {
  const path = join(dir, file);
  const given = env[name];
  if (given !== undefined && given !== "") return { value: given, source: "env", path };
  if (env.NODE_ENV === "production") throw new Error(`${name} must be set in production`);
  if (existsSync(path)) return { value: readFileSync(path, "utf8").trim(), source: "file", path };
  const value = generate();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: "wx" });
  return { value, source: "generated", path };
}
