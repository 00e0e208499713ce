/**
 * Internal: bounding a promise by a deadline.
 *
 * @packageDocumentation
 */

/**
 * Resolves like `promise`, or with `onTimeout()` after `ms` milliseconds if it
 * has not settled by then (the promise itself keeps running).
 */
export function withDeadline<T, U>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => U,
): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
