// Internal: "90d", "12h", "30m", "2w" as milliseconds.
import { UsageError } from "./open.js";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Parses a positive duration such as `90d`; throws a {@link UsageError} otherwise. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([smhdw])$/.exec(text);
  const amount = Number(match?.[1]);
  if (match === null || amount < 1) {
    throw new UsageError(`"${text}" is not a duration like 90d, 12h, 30m, 2w`);
  }
  return amount * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Parses an ISO 8601 date (or date-time); throws a {@link UsageError} otherwise. */
export function parseTime(option: string, text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${option} needs an ISO 8601 date, e.g. 2025-01-31`);
  return ms;
}
