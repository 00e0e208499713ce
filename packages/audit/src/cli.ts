#!/usr/bin/env node
/**
 * `gatehouse-audit`: verifies, checkpoints, exports and purges the audit
 * events a store holds. Run `gatehouse-audit --help` for usage.
 *
 * @packageDocumentation
 */
import { once } from "node:events";
import { runCli } from "./cli/main.js";

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  drain: async () => {
    if (process.stdout.writableNeedDrain) await once(process.stdout, "drain");
  },
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gatehouse-audit: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
