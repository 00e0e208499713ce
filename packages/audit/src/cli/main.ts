// The gatehouse-audit command line, as a function so tests can drive it.
import { parseArgs } from "node:util";
import { exportCommand, purgeCommand } from "./data-commands.js";
import { parseDuration, parseTime } from "./duration.js";
import { type OpenedStore, openStore, readKey, UsageError } from "./open.js";
import { checkpointCommand, verifyCommand } from "./verify-command.js";

/** The help text. */
export const USAGE = `Usage:
  gatehouse-audit verify --db DB [--stream NAME] [--pruned] [--key FILE]
      Verifies the hash chain of every stream (or one). Prints each problem as
      kind, stream, seq, event id and what is wrong; exits 1 if there is any.
      --pruned     accept streams whose start was purged by retention
      --key FILE   also verify against each stream's latest signed checkpoint
                   (catches a deleted tail or a rewritten chain): an Ed25519
                   public key (PEM) or the HMAC secret

  gatehouse-audit checkpoint --db DB --key FILE [--stream NAME]
      Signs the head of every stream (or one) and prints the checkpoints as
      JSON Lines; keep them outside the database too.
      --key FILE   an Ed25519 private key (PEM) or an HMAC secret (32+ bytes)

  gatehouse-audit export --db DB --format csv|jsonl [--org ORG] [--from ISO] [--to ISO] [--out FILE]
      Writes the events (newest first) to FILE or stdout. CSV cells that a
      spreadsheet would run as formulas are neutralised; JSON Lines keep every
      field. --from is inclusive, --to exclusive.

  gatehouse-audit purge --db DB --older-than 90d [--dry-run]
      Deletes the events older than that (s, m, h, d or w); --dry-run counts them.

  DB is postgres://... or a SQLite file (sqlite:./app.db or ./app.db); better,
  set GATEHOUSE_AUDIT_DB, which keeps a password out of your shell history.
  --prefix P   the table prefix the store was created with (default gh_)
`;

/** Where the CLI writes, the environment it reads, and its clock. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when `out` can take more (stdout backpressure during an export). */
  drain?(): Promise<void>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Now, epoch ms (for `purge`). @default Date.now */
  readonly now?: () => number;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      db: { type: "string" },
      prefix: { type: "string" },
      stream: { type: "string" },
      pruned: { type: "boolean" },
      key: { type: "string" },
      format: { type: "string" },
      org: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      out: { type: "string" },
      "older-than": { type: "string" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

const COMMANDS = ["verify", "checkpoint", "export", "purge"] as const;
type Command = (typeof COMMANDS)[number];

/** Runs the CLI; resolves the exit code (0 ok, 1 problems or failure, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`gatehouse-audit: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (v.help || command === "help") {
    io.out(USAGE);
    return 0;
  }
  let store: OpenedStore | undefined;
  try {
    if (!COMMANDS.includes(command as Command) || positionals.length > 1) {
      throw new UsageError(
        command === undefined
          ? "a command is needed"
          : `unknown command "${positionals.join(" ")}"`,
      );
    }
    const db = v.db ?? io.env?.GATEHOUSE_AUDIT_DB;
    if (db === undefined || db === "")
      throw new UsageError(`${command} needs --db (or GATEHOUSE_AUDIT_DB)`);
    const run = await prepare(command as Command, v, io);
    store = await openStore(db, v.prefix);
    return await run(store);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`gatehouse-audit: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const code = (err as { code?: unknown }).code;
    io.err(
      `gatehouse-audit: ${typeof code === "string" ? `${code}: ` : ""}${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  } finally {
    await store?.close();
  }
}

type Values = ReturnType<typeof parse>["values"];

/** Checks a command's options before anything is opened; returns what runs it. */
async function prepare(
  command: Command,
  v: Values,
  io: CliIo,
): Promise<(store: OpenedStore) => Promise<number>> {
  const stream = v.stream === undefined ? {} : { stream: v.stream };
  switch (command) {
    case "verify": {
      const key = v.key === undefined ? {} : { key: readKey(v.key, "verify") };
      return (s) => verifyCommand(s.records, { ...stream, ...key, pruned: v.pruned ?? false }, io);
    }
    case "checkpoint": {
      if (v.key === undefined) throw new UsageError("checkpoint needs --key");
      const key = readKey(v.key, "sign");
      return (s) => checkpointCommand(s.records, { ...stream, key }, io);
    }
    case "export": {
      if (v.format !== "csv" && v.format !== "jsonl") {
        throw new UsageError("export needs --format csv or --format jsonl");
      }
      const format = v.format;
      const filter = {
        ...(v.org === undefined ? {} : { scope: { orgId: v.org } }),
        ...(v.from === undefined ? {} : { from: parseTime("--from", v.from) }),
        ...(v.to === undefined ? {} : { to: parseTime("--to", v.to) }),
      };
      const out = v.out === undefined ? {} : { out: v.out };
      return (s) => exportCommand(s.records, { format, filter, ...out }, io);
    }
    case "purge": {
      if (v["older-than"] === undefined) throw new UsageError("purge needs --older-than, e.g. 90d");
      const olderThanMs = parseDuration(v["older-than"]);
      const now = (io.now ?? Date.now)();
      return (s) =>
        purgeCommand(s.records, { olderThanMs, dryRun: v["dry-run"] ?? false, now }, io);
    }
  }
}
