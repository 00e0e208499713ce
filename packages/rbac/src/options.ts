/**
 * Internal: option parsing shared by the factories of this package.
 *
 * @packageDocumentation
 */
import { configError } from "@gatehouse/core/errors";
import type { z } from "zod";

/**
 * Parses a factory's options once, at start-up; the `config_invalid` error
 * names the factory and the option.
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
