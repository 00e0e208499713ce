/**
 * Start-up check of the service argument every factory of the adapter takes. Internal.
 *
 * @packageDocumentation
 */
import { configError } from "@gatehouse/core/errors";
import type { Sessions } from "../types.js";

/** Throws `config_invalid` unless `sessions` looks like what `createSessions()` returns. */
export function assertSessions(factory: string, sessions: unknown): asserts sessions is Sessions {
  const s = sessions as Partial<Sessions> | null | undefined;
  if (
    typeof s !== "object" ||
    s === null ||
    typeof s.create !== "function" ||
    typeof s.refresh !== "function" ||
    typeof s.settings !== "object"
  ) {
    configError(factory, "pass the service returned by createSessions() as the first argument");
  }
}
