// PostgreSQL parses and plans an unnamed statement on every run. For the long multi-row
// INSERTs of createMany that costs more than the insert itself (500 rows of 26 columns: about
// 8 µs a row), so a text that runs again gets a name, and pg prepares it once per connection.
// A prepared statement keeps server memory on every connection that ran it (about 260 bytes
// per bound parameter), so names are given only to long statements, until a parameter budget
// is spent.
import { createHash } from "node:crypto";
import type { PostgresPoolClient } from "kysely";

/** Parameters, summed over the named texts, a store may keep prepared on each connection (about 8 MB). */
export const NAMED_PARAMETER_BUDGET = 32_768;
/** Runs of a text before it is named: a one-off batch shape never takes server memory. */
const RUNS_BEFORE_NAMING = 2;
/** Shorter statements parse quickly: naming them would only spend the budget. */
export const MIN_NAMED_PARAMETERS = 1000;
/** Texts whose runs are counted at once (oldest forgotten first). */
const COUNTED_TEXTS = 64;

/** The names of a store's repeated long statements. */
export interface StatementNames {
  /** Counts a run of `text` (binding `parameters` values); names it once it repeats, within the budget. */
  use(text: string, parameters: number): void;
  /** The name of `text`, if it has one. */
  nameOf(text: string): string | undefined;
}

/** An empty set of names with `budget` parameters to spend. */
export function createStatementNames(budget = NAMED_PARAMETER_BUDGET): StatementNames {
  const runs = new Map<string, number>();
  const names = new Map<string, string>();
  let spent = 0;
  return {
    use(text, parameters) {
      if (parameters < MIN_NAMED_PARAMETERS || names.has(text) || spent + parameters > budget) {
        return;
      }
      const count = (runs.get(text) ?? 0) + 1;
      if (count < RUNS_BEFORE_NAMING) {
        if (runs.size >= COUNTED_TEXTS) runs.delete(runs.keys().next().value as string);
        runs.set(text, count);
        return;
      }
      runs.delete(text);
      spent += parameters;
      // Named by content: two stores on one pool never give one name two texts.
      names.set(text, `gh_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`);
    },
    nameOf: (text) => names.get(text),
  };
}

/** `client`, running the named texts of `names` as prepared statements. */
export function namingClient(
  client: PostgresPoolClient,
  names: StatementNames,
): PostgresPoolClient {
  const query = (text: unknown, values?: ReadonlyArray<unknown>) => {
    const name = typeof text === "string" ? names.nameOf(text) : undefined;
    const pg = client as unknown as { query(config: unknown, values?: unknown): unknown };
    return name === undefined ? pg.query(text, values) : pg.query({ name, text, values });
  };
  return {
    query: query as PostgresPoolClient["query"],
    release: (destroy?: boolean) => client.release(destroy),
  };
}
