// Internal helpers of the conformance checks: assertions that throw plain
// `AssertionError`s (so the checks run under any test runner), random
// isolation tokens, and bounded waits. Not exported from the package.
import { AssertionError } from "node:assert";
import { randomBytes } from "node:crypto";
import { inspect, isDeepStrictEqual } from "node:util";
import { ERROR_STATUS, type GatehouseErrorCode, isGatehouseError } from "@gatehouse/core/errors";

/** A random token (12 hex characters) for key prefixes, groups and ids. */
export function token(): string {
  return randomBytes(6).toString("hex");
}

/** A fresh key prefix, so a check never meets another check's keys. */
export function keyPrefix(): string {
  return `ght:${token()}:`;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Sleeps until `performance.now()` reaches `at`. */
export function sleepUntil(at: number): Promise<void> {
  return sleep(at - performance.now());
}

/** A short, safe rendering of a value for failure messages. */
export function preview(value: unknown): string {
  return inspect(value, { depth: 3, maxStringLength: 80, maxArrayLength: 10, breakLength: 120 });
}

/** Describes a caught error: its code and status when it is a Gatehouse error. */
export function describeError(err: unknown): string {
  if (isGatehouseError(err)) return `${err.name} code=${err.code} status=${err.status}`;
  if (err instanceof Error) return `${err.name}: ${err.message.slice(0, 200)}`;
  return preview(err);
}

/** Fails the check. */
export function fail(message: string, ...values: [actual: unknown, expected: unknown] | []): never {
  const [actual, expected] = values;
  throw new AssertionError(
    values.length > 0 ? { message, actual, expected, operator: "conformance" } : { message },
  );
}

/** Fails the check unless `condition` holds. */
export function ok(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

/** Fails the check unless `actual` deep-equals `expected` (strictly). */
export function same(actual: unknown, expected: unknown, message: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    const a = preview(actual);
    const e = preview(expected);
    const hint =
      a === e ? " (equal when printed: check for class instances, null prototypes or -0)" : "";
    fail(`${message}: expected ${e}, got ${a}${hint}`, actual, expected);
  }
}

/** Calls a store method, turning a synchronous throw into a check failure. */
function call<T>(run: () => Promise<T>, what: string): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(run());
  } catch (err) {
    fail(
      `${what}: threw synchronously (${describeError(err)}); a store method must return a rejected promise instead`,
    );
  }
  return promise;
}

/**
 * Fails unless `run()` rejects with a Gatehouse error of `code` carrying the
 * status that code maps to.
 */
export async function rejectsWith(
  code: GatehouseErrorCode,
  run: () => Promise<unknown>,
  what: string,
): Promise<void> {
  const promise = call(run, what);
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    if (!isGatehouseError(err) || err.code !== code) {
      fail(`${what}: expected a rejection with code ${code}, got ${describeError(err)}`);
    }
    if (err.status !== ERROR_STATUS[code]) {
      fail(`${what}: ${code} must carry status ${ERROR_STATUS[code]}, got ${err.status}`);
    }
    return;
  }
  fail(`${what}: expected a rejection with code ${code}, but it resolved ${preview(value)}`);
}

/** Awaits `run()`, turning a rejection into a check failure that names the call. */
export async function resolves<T>(run: () => Promise<T>, what: string): Promise<T> {
  const promise = call(run, what);
  try {
    return await promise;
  } catch (err) {
    fail(`${what}: expected to resolve, got ${describeError(err)}`);
  }
}

/** Counts fulfilled and rejected outcomes and checks every rejection has `code`. */
export function tally<T>(
  outcomes: readonly PromiseSettledResult<T>[],
  code: GatehouseErrorCode | undefined,
  what: string,
): T[] {
  const values: T[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === "fulfilled") values.push(outcome.value);
    else if (
      code === undefined ||
      !isGatehouseError(outcome.reason) ||
      outcome.reason.code !== code
    ) {
      fail(
        `${what}: a call rejected with ${describeError(outcome.reason)}${code === undefined ? "" : `, expected only ${code} rejections`}`,
      );
    }
  }
  return values;
}

/** Runs `count` calls of `run(i)` at once and settles them all. */
export function together<T>(
  count: number,
  run: (i: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  return Promise.allSettled(
    Array.from({ length: count }, (_, i) => {
      try {
        return Promise.resolve(run(i));
      } catch (err) {
        return Promise.reject(err);
      }
    }),
  );
}

/**
 * Fails unless `run()` rejects with `store_unavailable` (status 503) within
 * `deadlineMs`.
 */
export async function unavailableWithin(
  run: () => Promise<unknown>,
  deadlineMs: number,
  what: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), deadlineMs);
  });
  try {
    const settled = rejectsWith("store_unavailable", run, what).then(() => "done" as const);
    settled.catch(() => {}); // a late failure after the deadline is already reported
    const outcome = await Promise.race([settled, deadline]);
    if (outcome === "timeout") {
      fail(
        `${what}: did not settle within ${deadlineMs} ms; an unreachable backend must fail fast with store_unavailable (set a connect/command timeout)`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
  const took = performance.now() - started;
  ok(took < deadlineMs, `${what}: took ${Math.round(took)} ms, more than ${deadlineMs} ms`);
}
