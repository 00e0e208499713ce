import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./internal/cli-main.js";
import { pgUrl, uniquePrefix } from "./internal/test-env.js";

const dir = mkdtempSync(join(tmpdir(), "gatehouse-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A models module as a team would write it (plain objects are accepted like defineModel() results).
const modelsFile = join(dir, "models.mjs");
writeFileSync(
  modelsFile,
  `export const account = { name: "account", fields: { email: { type: "string", required: true, unique: true } } };
export default [account, { name: "note", fields: { body: { type: "string" } } }];
`,
);

async function cli(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    out(text) {
      out += text;
    },
    err(text) {
      err += text;
    },
  });
  return { code, out, err };
}

describe("gatehouse-sql", () => {
  it("print --dialect prints the full schema", async () => {
    const { code, out } = await cli("print", "--dialect", "postgres", "--models", modelsFile);
    expect(code).toBe(0);
    expect(out).toContain('CREATE TABLE IF NOT EXISTS "gh_account"');
    expect(out).toContain('CREATE TABLE IF NOT EXISTS "gh_note"');
    expect(out).toContain('CREATE UNIQUE INDEX IF NOT EXISTS "gh_account_email_key"');
    expect(out.trimEnd().endsWith(";")).toBe(true);
  });

  it("migrate --url applies it; print --url then prints nothing", async () => {
    for (const url of [`sqlite:${join(dir, "app.db")}`, pgUrl()]) {
      const prefix = uniquePrefix("cli");
      const args = ["--url", url, "--models", modelsFile, "--prefix", prefix];
      expect((await cli("print", ...args)).out).toContain(`"${prefix}account"`);
      const migrated = await cli("migrate", ...args);
      expect(migrated).toMatchObject({ code: 0, err: expect.stringContaining("applied") });
      expect(await cli("print", ...args)).toEqual({ code: 0, out: "", err: "" });
      expect((await cli("migrate", ...args)).err).toContain("up to date");
    }
  });

  it("explains bad usage with exit code 2", async () => {
    expect((await cli()).code).toBe(2);
    expect(await cli("print")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--dialect"),
    });
    expect(await cli("drop")).toMatchObject({
      code: 2,
      err: expect.stringContaining("unknown command"),
    });
    expect((await cli("--help")).code).toBe(0);
  });

  it("reports an unreachable database with exit code 1", async () => {
    const result = await cli("migrate", "--url", "postgres://postgres@127.0.0.1:1/x");
    expect(result).toMatchObject({ code: 1, err: expect.stringContaining("store_unavailable") });
  });
});
