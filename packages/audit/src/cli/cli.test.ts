// gatehouse-audit: spawned as operators run it (node on the source) against SQLite
// files and the test PostgreSQL; usage mistakes through runCli() in-process.
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createPostgresStore, createSqliteStore } from "@gatehouse/store-sql";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditEvent } from "../event.js";
import { auditEventModel } from "../model.js";
import { CSV_COLUMNS } from "../query/export.js";
import { TEST_MODELS, testPgUrl, uniquePrefix } from "../verify/test-backends.js";
import { buildChain, T0, writeEvents } from "../verify/test-chain.js";
import { runCli } from "./main.js";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "../..");
const cliPath = join(pkg, "src/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "gh-audit-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const NOW = Date.now();

/** Two streams: api-1 (old events of two orgs, then recent ones) and worker. */
const seedEvents = (): AuditEvent[] => [
  ...buildChain(12, "api-1", (seq) => ({
    time: seq <= 8 ? T0 + seq * 1000 : NOW - DAY + seq,
    orgId: seq % 2 ? "org_a" : "org_b",
    actorId: seq === 3 ? "=cmd|' /C calc'!A0" : `user_${seq}`,
  })),
  ...buildChain(5, "worker", (seq) => ({ time: NOW - DAY + seq, orgId: "org_a" })),
];

/** A fresh SQLite file holding the seed events. */
async function sqliteDb(name: string) {
  const file = join(dir, `${name}.db`);
  const store = createSqliteStore(file, { models: TEST_MODELS });
  await store.migrate();
  const events = seedEvents();
  await writeEvents(store.records, events);
  return {
    file,
    events,
    /** Changes the stored events (the CLI is not running). */
    async tamper(fn: (records: typeof store.records) => Promise<unknown>) {
      await fn(store.records);
    },
    close: () => store.close(),
  };
}

/** Runs the real command in a child process. */
async function spawnCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@gatehouse/source", "--import", "tsx", cliPath, ...args],
      { cwd: pkg, env: { ...process.env, GATEHOUSE_AUDIT_DB: "", ...env }, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the CLI in-process. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
    now: () => NOW,
  });
  return { code, out, err };
}

// Each spawn starts node with tsx (about a second): generous timeouts, no timing assertions.
describe("gatehouse-audit (spawned, SQLite)", { timeout: 60_000 }, () => {
  it("verify: exit 0 on intact chains; exit 1 with where each problem is", async () => {
    const db = await sqliteDb("verify");
    const ok = await spawnCli(["verify", "--db", db.file]);
    expect(ok).toMatchObject({ code: 0, stdout: "" });
    expect(ok.stderr).toBe("gatehouse-audit: 2 stream(s), 17 event(s) verified: ok\n");

    const [e4, e7] = [db.events[3]!, db.events[6]!];
    await db.tamper(async (records) => {
      await records.update(auditEventModel, e4.id, { outcome: "denied" });
      await records.delete(auditEventModel, e7.id);
    });
    await db.close();
    const bad = await spawnCli(["verify", "--db", `sqlite:${db.file}`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout.trimEnd().split("\n")).toEqual([
      `altered\tstream=api-1\tseq=4\tid=${e4.id}\tThe event was changed: its stored hash does not match its content.`,
      `deleted\tstream=api-1\tseq=7\tid=-\tseq 7 is missing before seq 8 (id ${db.events[7]!.id}).`,
    ]);
    expect(bad.stderr).toContain("16 event(s)");
    expect(bad.stderr).toContain("2 problem(s)");
    // One stream only.
    expect((await spawnCli(["verify", "--db", db.file, "--stream", "worker"])).code).toBe(0);
  });

  it("export: CSV to a file, JSON Lines to stdout, filtered by org and time", async () => {
    const db = await sqliteDb("export");
    await db.close();
    const out = join(dir, "org_a.csv");
    const csv = await spawnCli([
      "export",
      "--db",
      db.file,
      "--format",
      "csv",
      "--org",
      "org_a",
      "--from",
      new Date(T0).toISOString(),
      "--out",
      out,
    ]);
    expect(csv).toMatchObject({ code: 0, stdout: "", stderr: `gatehouse-audit: wrote ${out}\n` });
    const lines = readFileSync(out, "utf8").split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    const expected = db.events.filter((e) => e.orgId === "org_a");
    expect(lines.slice(1, -1)).toHaveLength(expected.length);
    expect(readFileSync(out, "utf8")).toContain(`'=cmd|' /C calc'!A0`);
    expect(statSync(out).mode & 0o077).toBe(0);

    const jsonl = await spawnCli(
      ["export", "--format", "jsonl", "--to", new Date(T0 + 5000).toISOString()],
      { GATEHOUSE_AUDIT_DB: db.file },
    );
    expect(jsonl.code).toBe(0);
    const events = jsonl.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(events.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(events[0]).toEqual(db.events[3]);
  });

  it("purge: --dry-run counts, then deletes; verify then needs --pruned", async () => {
    const db = await sqliteDb("purge");
    await db.close();
    const dry = await spawnCli(["purge", "--db", db.file, "--older-than", "90d", "--dry-run"]);
    expect(dry).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^would delete 8 event\(s\) older than \d{4}-/),
    });
    const purged = await spawnCli(["purge", "--db", db.file, "--older-than", "90d"]);
    expect(purged).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^deleted 8 event\(s\)/),
    });
    const strict = await spawnCli(["verify", "--db", db.file]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^deleted\tstream=api-1\tseq=1\tid=-\tseqs 1-8 are missing/);
    expect(strict.stderr).toContain("add --pruned");
    const pruned = await spawnCli(["verify", "--db", db.file, "--pruned"]);
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain("stream api-1 starts at seq 9 (purged before)");
  });

  it("checkpoint and verify --key: HMAC or Ed25519; a truncated tail exits 1", async () => {
    const db = await sqliteDb("checkpoint");
    const secret = join(dir, "hmac.key");
    writeFileSync(secret, `${"s".repeat(40)}\n`);
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const priv = join(dir, "ed.pem");
    const pub = join(dir, "ed.pub.pem");
    writeFileSync(priv, privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(pub, publicKey.export({ type: "spki", format: "pem" }));

    const signed = await spawnCli(["checkpoint", "--db", db.file, "--key", priv]);
    expect(signed.code).toBe(0);
    const checkpoints = signed.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(checkpoints).toMatchObject([
      { stream: "api-1", seq: 12, algorithm: "ed25519" },
      { stream: "worker", seq: 5, algorithm: "ed25519" },
    ]);
    expect((await spawnCli(["verify", "--db", db.file, "--key", pub])).code).toBe(0);
    // The HMAC secret does not verify Ed25519 checkpoints.
    const wrong = await spawnCli(["verify", "--db", db.file, "--key", secret]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("signature does not verify");

    await db.tamper((records) => records.delete(auditEventModel, db.events[16]!.id));
    await db.close();
    const truncated = await spawnCli(["verify", "--db", db.file, "--key", pub]);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(
      /^deleted\tstream=worker\tseq=5\tid=-\tThe stream ends at seq 4/,
    );
    // Without the key the truncation is invisible: the reason checkpoints exist.
    expect((await spawnCli(["verify", "--db", db.file])).code).toBe(0);
    expect((await spawnCli(["checkpoint", "--db", db.file, "--key", secret])).code).toBe(0);
  });
});

describe("gatehouse-audit (spawned, PostgreSQL)", { timeout: 60_000 }, () => {
  it("verifies, exports and purges through GATEHOUSE_AUDIT_DB and --prefix", async () => {
    const url = testPgUrl();
    const prefix = uniquePrefix("cli");
    const store = createPostgresStore(url, { models: TEST_MODELS, tablePrefix: prefix });
    await store.migrate();
    const events = seedEvents();
    await writeEvents(store.records, events);
    const env = { GATEHOUSE_AUDIT_DB: url };
    try {
      const ok = await spawnCli(["verify", "--prefix", prefix], env);
      expect(ok).toMatchObject({
        code: 0,
        stderr: expect.stringContaining("17 event(s) verified: ok"),
      });

      await store.records.update(auditEventModel, events[14]!.id, { metadata: { n: 0 } });
      const bad = await spawnCli(["verify", "--prefix", prefix, "--stream", "worker"], env);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toBe(
        `altered\tstream=worker\tseq=3\tid=${events[14]!.id}\tThe event was changed: its personal fields (actor, target, IP, user agent, metadata) no longer match piiDigest.\n`,
      );

      const jsonl = await spawnCli(
        ["export", "--prefix", prefix, "--format", "jsonl", "--org", "org_b"],
        env,
      );
      expect(jsonl.stdout.trimEnd().split("\n")).toHaveLength(6);
      const purged = await spawnCli(["purge", "--prefix", prefix, "--older-than", "30d"], env);
      expect(purged.stdout).toMatch(/^deleted 8 event\(s\)/);
    } finally {
      await store.close();
    }
  });
});

describe("gatehouse-audit (in-process)", () => {
  it("prints help", async () => {
    for (const argv of [["--help"], ["help"], ["verify", "-h"]]) {
      expect(await cli(argv)).toMatchObject({ code: 0, out: expect.stringContaining("Usage:") });
    }
  });

  it.each([
    [[], "a command is needed"],
    [["drop"], 'unknown command "drop"'],
    [["verify", "extra"], 'unknown command "verify extra"'],
    [["verify"], "verify needs --db"],
    [["verify", "--db", join(dir, "missing.db")], "no SQLite database at"],
    [["verify", "--db", ":memory:"], "no SQLite database at"],
    [["checkpoint", "--db", "x.db"], "checkpoint needs --key"],
    [["export", "--db", "x.db"], "--format csv or --format jsonl"],
    [["export", "--db", "x.db", "--format", "xml"], "--format csv or --format jsonl"],
    [
      ["export", "--db", "x.db", "--format", "csv", "--from", "yesterday"],
      "--from needs an ISO 8601 date",
    ],
    [
      ["export", "--db", "x.db", "--format", "csv", "--to", "2024-13-45"],
      "--to needs an ISO 8601 date",
    ],
    [["purge", "--db", "x.db"], "purge needs --older-than"],
    [["purge", "--db", "x.db", "--older-than", "90"], '"90" is not a duration'],
    [["purge", "--db", "x.db", "--older-than", "0d"], '"0d" is not a duration'],
    [["purge", "--db", "x.db", "--older-than=-5d"], '"-5d" is not a duration'],
    [["verify", "--bogus"], "Unknown option '--bogus'"],
  ])("explains %j with exit code 2", async (argv, message) => {
    const res = await cli(argv as string[]);
    expect(res.code).toBe(2);
    expect(res.err).toContain(message);
    expect(res.err).toContain("Usage:");
  });

  it("exits 1 for an unreachable database without echoing its password", async () => {
    const res = await cli(["verify"], {
      GATEHOUSE_AUDIT_DB: "postgres://audit:SECRETPASS@127.0.0.1:1/nowhere",
    });
    expect(res.code).toBe(1);
    expect(res.err).toContain("store_unavailable");
    expect(res.err).not.toContain("SECRETPASS");
  });

  it("exits 1 for a file that is not a database, and for a missing key file", async () => {
    const notDb = join(dir, "not.db");
    writeFileSync(notDb, "hello, this is not SQLite at all, just some text....");
    expect((await cli(["verify", "--db", notDb])).code).toBe(1);
    const db = await sqliteDb("keyless");
    await db.close();
    const res = await cli(["verify", "--db", db.file, "--key", join(dir, "nope.key")]);
    expect(res).toMatchObject({ code: 1, err: expect.stringContaining("ENOENT") });
  });

  it("purges by the injected clock", async () => {
    const db = await sqliteDb("clock");
    await db.close();
    const res = await cli(["purge", "--db", db.file, "--older-than", "2w", "--dry-run"]);
    expect(res.out).toBe(
      `would delete 8 event(s) older than ${new Date(NOW - 14 * DAY).toISOString()}\n`,
    );
  });
});
