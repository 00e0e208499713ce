#!/usr/bin/env node
/**
 * `gatehouse-sql`: prints or applies the migrations of `@gatehouse/store-sql`.
 * Run `gatehouse-sql --help` for usage.
 *
 * @packageDocumentation
 */
import { runCli } from "./internal/cli-main.js";

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gatehouse-sql: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
