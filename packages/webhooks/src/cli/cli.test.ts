// gatehouse-webhooks: spawned as developers run it (node on the source), against a local
// receiver; usage mistakes through runCli() in-process.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { errorHandler } from "@gatehouse/express";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clerkSampleEvent, clerkSampleEventTypes } from "../clerk/fixtures.js";
import { listen, SECRET, testReceiver } from "../express/test-helpers.js";
import { webhookHandler } from "../express.js";
import { generateWebhookSecret } from "../secrets.js";
import { runCli } from "./main.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const cliPath = join(root, "packages/webhooks/src/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "gh-webhooks-cli-"));

/** What the local receiver got: the exact bytes and headers, and the users its handler saw. */
const received: { body: Buffer; headers: Record<string, unknown> }[] = [];
const { receiver, seen } = testReceiver();
let server: Awaited<ReturnType<typeof listen>>;
let url: string;

beforeAll(async () => {
  const app = express();
  app.post(
    "/webhooks/clerk",
    express.raw({ type: "application/json" }),
    (req, _res, next) => {
      received.push({ body: req.body as Buffer, headers: { ...req.headers } });
      next();
    },
    webhookHandler(receiver),
  );
  app.use(errorHandler());
  server = await listen(app);
  url = `http://127.0.0.1:${server.port}/webhooks/clerk`;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the real command in a child process (exit code, stdout, stderr). */
async function spawnCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@gatehouse/source", "--import", "tsx", cliPath, ...args],
      { cwd: root, env: { ...process.env, WEBHOOK_SECRET: "", ...env } },
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
  });
  return { code, out, err };
}

describe("gatehouse-webhooks send (spawned)", () => {
  it("signs a sample event with WEBHOOK_SECRET; the same --id again is a duplicate", async () => {
    const args = ["send", "--url", url, "--event", "user.created", "--id", "msg_cli_1"];
    const first = await spawnCli(args, { WEBHOOK_SECRET: SECRET });
    expect(first).toMatchObject({ code: 0, stdout: '200 OK\n{"outcome":"processed"}\n' });
    expect(first.stderr).toContain(`POST ${url}  user.created  svix-id: msg_cli_1`);
    expect(first.stderr).not.toContain(SECRET);
    expect(JSON.parse(received.at(-1)!.body.toString())).toEqual(clerkSampleEvent("user.created"));
    expect(seen).toEqual([clerkSampleEvent("user.created").data.id]);
    const again = await spawnCli(args, { WEBHOOK_SECRET: SECRET });
    expect(again).toMatchObject({ code: 0, stdout: '200 OK\n{"outcome":"duplicate"}\n' });
  });

  it("sends a saved file byte for byte with standard headers and --secret", async () => {
    const file = join(dir, "event.json");
    const text = `${JSON.stringify(clerkSampleEvent("user.created", { data: { id: "user_file" } }), null, 2)}\n`;
    writeFileSync(file, text);
    const res = await spawnCli([
      "send",
      "--url",
      url,
      "--file",
      file,
      "--secret",
      SECRET,
      "--header-style",
      "standard",
    ]);
    expect(res).toMatchObject({ code: 0, stdout: '200 OK\n{"outcome":"processed"}\n' });
    const got = received.at(-1)!;
    expect(got.body.toString()).toBe(text);
    expect(got.headers["webhook-id"]).toMatch(/^msg_[\w-]{24}$/);
    expect(got.headers["svix-id"]).toBeUndefined();
    expect(seen).toContain("user_file");
  });

  it("exits 1 on a refusal and prints the problem", async () => {
    const res = await spawnCli(["send", "--url", url, "--event", "user.created"], {
      WEBHOOK_SECRET: generateWebhookSecret(),
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^400 Bad Request\n\{.*"code":"webhook_signature_invalid"/);
  });
});

describe("gatehouse-webhooks (in-process)", () => {
  it("refuses an old --timestamp at the receiver (a replay)", async () => {
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const res = await cli(["send", "--url", url, "--event", "user.created", "--timestamp", old], {
      WEBHOOK_SECRET: SECRET,
    });
    expect(res.code).toBe(1);
    expect(res.out).toContain("webhook_timestamp_expired");
  });

  it("lists the sample event types, and prints help", async () => {
    const list = await cli(["list-events"]);
    expect(list.code).toBe(0);
    expect(list.out.trim().split("\n")).toEqual([...clerkSampleEventTypes]);
    expect(list.out).toContain("organizationMembership.created\n");
    const help = await cli(["--help"]);
    expect(help).toMatchObject({ code: 0, out: expect.stringContaining("WEBHOOK_SECRET") });
  });

  it.each([
    [[], "a command is needed"],
    [["deliver"], 'unknown command "deliver"'],
    [["send", "--event", "user.created"], "send needs --url"],
    [
      ["send", "--url", "http://127.0.0.1:1/x", "--event", "user.created"],
      "WEBHOOK_SECRET or --secret",
    ],
    [["send", "--url", "http://127.0.0.1:1/x", "--secret", SECRET], "one of --event or --file"],
    [
      ["send", "--url", "ftp://x/", "--secret", SECRET, "--event", "user.created"],
      "http:// or https://",
    ],
    [
      ["send", "--url", "http://x/", "--secret", SECRET, "--event", "user.nope"],
      'unknown event type "user.nope"',
    ],
    [
      [
        "send",
        "--url",
        "http://x/",
        "--secret",
        SECRET,
        "--event",
        "user.created",
        "--header-style",
        "x",
      ],
      "svix or standard",
    ],
    [
      [
        "send",
        "--url",
        "http://x/",
        "--secret",
        SECRET,
        "--event",
        "user.created",
        "--timestamp",
        "soon",
      ],
      "--timestamp",
    ],
    [["send", "--bogus"], "Unknown option '--bogus'"],
  ])("explains %j with exit code 2", async (argv, message) => {
    const res = await cli(argv as string[]);
    expect(res.code).toBe(2);
    expect(res.err).toContain(message);
    expect(res.err).toContain("Usage:");
  });

  it("never echoes a malformed secret, and reports a file that is not JSON", async () => {
    const bad = await cli(["send", "--url", url, "--event", "user.created"], {
      WEBHOOK_SECRET: "whsec_SECRETMARK!!",
    });
    expect(bad.code).toBe(2);
    expect(bad.err).not.toContain("SECRETMARK");
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ not json");
    const broken = await cli(["send", "--url", url, "--file", file], { WEBHOOK_SECRET: SECRET });
    expect(broken).toMatchObject({ code: 2, err: expect.stringContaining("is not JSON") });
    const missing = await cli(["send", "--url", url, "--file", join(dir, "nope.json")], {
      WEBHOOK_SECRET: SECRET,
    });
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining("ENOENT") });
  });

  it("exits 1 when nothing listens", async () => {
    const closed = await listen((_req, res) => res.end());
    await closed.close();
    const res = await cli(
      ["send", "--url", `http://127.0.0.1:${closed.port}/x`, "--event", "user.created"],
      { WEBHOOK_SECRET: SECRET },
    );
    expect(res).toMatchObject({ code: 1, err: expect.stringContaining("ECONNREFUSED") });
  });
});
