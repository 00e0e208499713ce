// The gatehouse-sql command line, as a function so tests can drive it.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { ModelSchema } from "@gatehouse/core/store";
import { createPostgresStore, createSqliteStore } from "../connect.js";
import type { SqlStore } from "../store.js";

export const USAGE = `Usage:
  gatehouse-sql print   --dialect postgres|sqlite [--models FILE] [--prefix gh_]
                          the SQL that creates every table on an empty database
  gatehouse-sql print   --url URL [--models FILE] [--prefix gh_]
                          the SQL that brings that database up to date (nothing when it is)
  gatehouse-sql migrate --url URL [--models FILE] [--prefix gh_]
                          applies it (one transaction; safe to run concurrently)

  URL is postgres://... or a SQLite file (sqlite:./app.db or ./app.db).
  FILE is an ES module (or CommonJS) exporting models: defineModel() results,
  as named exports, an array, or a default export of either.
`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const isModel = (value: unknown): value is ModelSchema =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as ModelSchema).name === "string" &&
  typeof (value as ModelSchema).fields === "object";

/** The models a module exports (named, default, arrays of them), deduplicated by name. */
export async function loadModels(file: string): Promise<ModelSchema[]> {
  const mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const found = new Map<string, ModelSchema>();
  const visit = (value: unknown, depth: number): void => {
    if (isModel(value)) {
      found.set(value.name, value);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, depth);
    } else if (depth > 0 && typeof value === "object" && value !== null) {
      for (const v of Object.values(value)) visit(v, depth - 1);
    }
  };
  visit(mod, 2);
  return [...found.values()];
}

function open(url: string, models: ModelSchema[], tablePrefix: string | undefined): SqlStore {
  const options = {
    models,
    ...(tablePrefix === undefined ? {} : { tablePrefix }),
    timeoutMs: 10_000,
  };
  return /^postgres(ql)?:\/\//.test(url)
    ? createPostgresStore(url, options)
    : createSqliteStore(url.replace(/^sqlite:/, ""), options);
}

const render = (statements: string[]) =>
  statements.length === 0 ? "" : `${statements.join(";\n\n")};\n`;

/** Runs the CLI; resolves the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dialect: { type: "string" },
        models: { type: "string" },
        prefix: { type: "string" },
        url: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined || command === "help") {
    io.out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command !== "print" && command !== "migrate") {
    io.err(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let store: SqlStore | undefined;
  try {
    const models = values.models === undefined ? [] : await loadModels(values.models);
    if (command === "print" && values.url === undefined) {
      const dialect = values.dialect;
      if (dialect !== "postgres" && dialect !== "sqlite") {
        io.err(`print needs --dialect postgres|sqlite (or --url)\n\n${USAGE}`);
        return 2;
      }
      // The factories open nothing until the first query, so this touches no database.
      store = open(
        dialect === "postgres" ? "postgres://localhost/unused" : ":memory:",
        models,
        values.prefix,
      );
      io.out(render(store.migrationSql()));
      return 0;
    }
    if (values.url === undefined) {
      io.err(`${command} needs --url\n\n${USAGE}`);
      return 2;
    }
    store = open(values.url, models, values.prefix);
    if (command === "print") {
      io.out(render(await store.pendingMigrationSql()));
    } else {
      const pending = await store.pendingMigrationSql();
      await store.migrate();
      io.err(
        pending.length === 0
          ? "gatehouse-sql: the database is up to date\n"
          : `gatehouse-sql: applied ${pending.length - 1} statement(s) for ${models.length} model(s)\n`,
      );
    }
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    io.err(
      `gatehouse-sql: ${typeof code === "string" ? `${code}: ` : ""}${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  } finally {
    await store?.close();
  }
}
