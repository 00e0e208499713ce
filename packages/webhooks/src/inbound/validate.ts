/**
 * Internal: checking a verified payload against the schema of its type. The
 * error names where the payload does not fit (a path of schema keys and array
 * indices) and how, never a value from it.
 *
 * @packageDocumentation
 */
import { GatehouseError } from "@gatehouse/core/errors";
import type { z } from "zod";

const MAX_PATH = 8;

function where(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the payload";
  const shown = path
    .slice(0, MAX_PATH)
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`));
  return `payload${shown.join("")}${path.length > MAX_PATH ? "…" : ""}`;
}

/** Parses `payload` with `schema`; a mismatch is `webhook_body_invalid` (400). */
export function validateEvent(schema: z.ZodType, payload: unknown): unknown {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new GatehouseError(
    "webhook_body_invalid",
    `The webhook payload does not fit the schema of its type: ${where(issue.path)} (${issue.code}).`,
  );
}
