import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the example keeps its SQLite file and development secrets (git-ignored). */
export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", ".data");

/**
 * A secret from `env[name]`, or else one generated on first run into
 * `dir/file` (mode 0600) and read back on later runs, so restarts keep
 * sessions and API keys valid. Refused in production: set the variable.
 */
export function loadSecret(
  name: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  dir: string = DATA_DIR,
): string {
  const given = env[name];
  if (given !== undefined && given !== "") return given;
  if (env.NODE_ENV === "production") {
    throw new Error(`${name} must be set in production (at least 32 random characters)`);
  }
  const path = join(dir, file);
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return secret;
}
