import type { z } from "zod";
import { configError, GatehouseError } from "./errors.js";

/** The first issue of a failed parse: `<what the path names>: <message>`. */
function firstIssue(error: z.ZodError, name: (path: string | undefined) => string): string {
  const issue = error.issues[0]!;
  return `${name(issue.path.length > 0 ? issue.path.join(".") : undefined)}: ${issue.message}`;
}

/**
 * Parses a factory's options with its zod schema, once, at start-up. The
 * error names the factory and the option, so a typo is found before the first
 * request rather than in it.
 */
export function parseOptions<S extends z.ZodType>(
  factory: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  return configError(
    factory,
    firstIssue(result.error, (path) => (path ? `option "${path}"` : "options")),
  );
}

/**
 * Parses caller input (a request body, a service argument) with its zod
 * schema. A failure is `input_invalid` (400) naming the operation and the
 * field, never echoing the value (it may be a secret).
 */
export function parseInput<S extends z.ZodType>(
  operation: string,
  schema: S,
  input: unknown,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const what = firstIssue(result.error, (path) => (path ? `"${path}"` : "input"));
  throw new GatehouseError("input_invalid", `${operation}: ${what}`);
}
