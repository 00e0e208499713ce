import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateTestKeys } from "@gatehouse/testing";

/** Where the development key pair lives (git-ignored). */
export const DEV_KEYS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", ".dev-keys");

/** The development signing key pair: stands in for a Clerk instance, so no Clerk account is needed. */
export interface DevKeys {
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
  readonly kid: string;
}

/** Loads the development key pair, creating it on first use. */
export function loadDevKeys(dir: string = DEV_KEYS_DIR): DevKeys {
  const file = join(dir, "dev-keys.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as DevKeys;
  const keys = generateTestKeys({ alg: "RS256", kid: "ins_dev" });
  const dev: DevKeys = {
    publicKeyPem: keys.publicKeyPem,
    privateKeyPem: keys.privateKeyPem,
    kid: keys.kid,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(dev, null, 2), { mode: 0o600 });
  return dev;
}
