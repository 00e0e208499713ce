// The gatehouse-webhooks command line, as a function so tests can drive it.
import { parseArgs } from "node:util";
import { clerkSampleEventTypes } from "../clerk/fixtures.js";
import { type HeaderStyle, post, signRequest, UsageError } from "./send.js";

export const USAGE = `Usage:
  gatehouse-webhooks send --url URL (--event TYPE | --file FILE) [options]
      Signs a webhook as Clerk (Svix) or any Standard Webhooks sender does and POSTs
      it to URL, your local handler: no tunnel needed. Prints the answer; exits 1
      unless it is 2xx.

      --url URL            e.g. http://127.0.0.1:3000/webhooks/clerk
      --event TYPE         a generated Clerk sample event (see list-events)
      --file FILE          a saved event (a JSON object), sent byte for byte
      --secret whsec_...   the endpoint's signing secret; better: set WEBHOOK_SECRET,
                           which keeps it out of your shell history
      --id ID              the message id (default: a new msg_...); send the same id
                           twice to see the receiver's deduplication
      --header-style S     svix (svix-* headers, as Clerk sends; the default) or
                           standard (webhook-* headers)
      --timestamp SEC      the signed timestamp in seconds (default: now); an old one
                           shows the receiver refusing a replay

  gatehouse-webhooks list-events
      The event types --event accepts.
`;

/** Where the CLI writes, and the environment it reads (`WEBHOOK_SECRET`). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: "string" },
      secret: { type: "string" },
      event: { type: "string" },
      file: { type: "string" },
      id: { type: "string" },
      "header-style": { type: "string" },
      timestamp: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function usage(io: CliIo, message: string): number {
  io.err(`gatehouse-webhooks: ${message}\n\n${USAGE}`);
  return 2;
}

/** Runs the CLI; resolves the exit code (0 ok, 1 non-2xx or unreachable, 2 usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return usage(io, err instanceof Error ? err.message : String(err));
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (v.help || command === "help") {
    io.out(USAGE);
    return 0;
  }
  if (command === "list-events") {
    io.out(`${clerkSampleEventTypes.join("\n")}\n`);
    return 0;
  }
  if (command !== "send") {
    return usage(
      io,
      command === undefined ? "a command is needed" : `unknown command "${command}"`,
    );
  }
  if (positionals.length > 1) return usage(io, `unexpected argument "${positionals[1]}"`);
  const secret = v.secret ?? io.env.WEBHOOK_SECRET;
  const style = v["header-style"] ?? "svix";
  if (v.url === undefined) return usage(io, "send needs --url");
  if (secret === undefined || secret === "")
    return usage(io, "send needs WEBHOOK_SECRET or --secret");
  if ((v.event === undefined) === (v.file === undefined)) {
    return usage(io, "send needs one of --event or --file");
  }
  if (style !== "svix" && style !== "standard")
    return usage(io, "--header-style: svix or standard");

  let request: Awaited<ReturnType<typeof signRequest>>;
  try {
    request = await signRequest({ ...v, url: v.url, secret, headerStyle: style as HeaderStyle });
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err.message);
    io.err(`gatehouse-webhooks: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  io.err(
    `POST ${request.url.href}  ${request.type}  ${style === "svix" ? "svix" : "webhook"}-id: ${request.id}\n`,
  );
  try {
    const res = await post(request);
    io.out(`${res.status} ${res.statusText}\n${res.body === "" ? "" : `${res.body}\n`}`);
    return res.status >= 200 && res.status < 300 ? 0 : 1;
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    const why =
      typeof cause === "string" ? cause : err instanceof Error ? err.message : String(err);
    io.err(`gatehouse-webhooks: no answer from ${request.url.href} (${why})\n`);
    return 1;
  }
}
