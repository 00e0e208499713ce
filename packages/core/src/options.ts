import type { z } from "zod";
import { configError } from "./errors.js";

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
  const issue = result.error.issues[0]!;
  const path = issue.path.length > 0 ? `option "${issue.path.join(".")}"` : "options";
  return configError(factory, `${path}: ${issue.message}`);
}
