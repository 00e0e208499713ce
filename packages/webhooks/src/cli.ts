#!/usr/bin/env node
/**
 * `gatehouse-webhooks`: signs a webhook and POSTs it to a local handler, so a
 * receiver can be tried without a tunnel. Run `gatehouse-webhooks --help`.
 *
 * @packageDocumentation
 */
import { runCli } from "./cli/main.js";

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gatehouse-webhooks: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
