/** Table printing, targets and result files shared by the benchmarks. */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where result files go (git-ignored by its own `.gitignore`). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");

/** A ratio with a floor it should reach. */
export interface Target {
  readonly name: string;
  /** `numerator / denominator`, or null when a side is missing or failed. */
  readonly ratio: number | null;
  readonly min: number;
  readonly status: "PASS" | "MISS" | "N/A";
  /**
   * HTTP targets only: the same ratio computed from server CPU time per request, which does
   * not depend on whether autocannon or the server was the bottleneck. Informational.
   */
  readonly cpuRatio?: number | null;
}

/** Builds a {@link Target} from two measured rates. */
export function target(
  name: string,
  numerator: number | null | undefined,
  denominator: number | null | undefined,
  min: number,
): Target {
  const ratio =
    numerator == null || denominator == null || denominator === 0 ? null : numerator / denominator;
  const status = ratio === null ? "N/A" : ratio >= min ? "PASS" : "MISS";
  return { name, ratio, min, status };
}

/** Prints an aligned text table; numeric-looking cells are right-aligned. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (/^[\d—≥]/.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

/** `12345.6` → `"12,346"`. */
export function formatRate(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  return Math.round(value).toLocaleString("en-US");
}

/** `0.8734` → `"0.87×"`. */
export function formatRatio(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "—";
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** Prints the targets as a table with PASS/MISS. */
export function printTargets(targets: readonly Target[]): void {
  const withCpu = targets.some((t) => t.cpuRatio !== undefined);
  printTable(
    ["target", "ratio", "min", "result", ...(withCpu ? ["by server cpu/req"] : [])],
    targets.map((t) => [
      t.name,
      formatRatio(t.ratio),
      `≥ ${t.min}`,
      t.status,
      ...(withCpu ? [t.cpuRatio === undefined ? "" : formatRatio(t.cpuRatio)] : []),
    ]),
  );
}

/** The machine a run was measured on: results from different machines do not compare. */
export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** Writes `results/<name>` as pretty JSON and returns its path. */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, name);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** A positive number from the environment, or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Whether this module is the script node was started with (`node … file.ts`). */
export function isMain(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(importMetaUrl) === entry;
}
