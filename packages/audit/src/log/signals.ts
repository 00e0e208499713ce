/**
 * Internal: the small promise tools of the log.
 *
 * @packageDocumentation
 */

/** A promise that rejects when fired, renewed after each batch. */
export function pressureSignal() {
  let reject!: (error: Error) => void;
  const promise = new Promise<never>((_, r) => {
    reject = r;
  });
  promise.catch(() => {});
  const signal = {
    promise,
    fired: false,
    fire() {
      signal.fired = true;
      reject(new Error("the audit queue is full: the batch goes to the spool"));
    },
  };
  return signal;
}

/** `promise`, or a rejection after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
