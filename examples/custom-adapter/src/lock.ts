import { randomUUID } from "node:crypto";
import { link, open, rename, stat, unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { StoreUnavailableError } from "@gatehouse/core/store";

/** Options of {@link createLocks}. */
export interface LockOptions {
  /** How long a writer may wait for a lock before failing with `store_unavailable`. @default 2000 */
  lockTimeoutMs?: number;
  /** A lock file older than this is presumed left by a crashed process and broken. @default 5000 */
  staleLockMs?: number;
}

/**
 * Exclusive sections across processes, one per lock file: `open(lock, "wx")`,
 * retried with jittered backoff up to `lockTimeoutMs`, broken after
 * `staleLockMs` if its holder crashed. Callers in one process queue in memory
 * first, so only one of them at a time contends for the file.
 */
export function createLocks(options: LockOptions = {}) {
  const lockTimeoutMs = options.lockTimeoutMs ?? 2000;
  const staleLockMs = options.staleLockMs ?? 5000;
  /** lock path → the promise the next in-process holder waits for */
  const queues = new Map<string, Promise<void>>();

  /** Removes `lock` if it is older than `staleLockMs`, never a lock taken since we looked. */
  async function breakIfStale(lock: string): Promise<void> {
    const seen = await stat(lock).catch(() => undefined);
    // Wall-clock time on purpose: it is compared with the file system's mtime.
    if (seen === undefined || Date.now() - seen.mtimeMs < staleLockMs) return;
    const moved = `${lock}.${randomUUID()}.stale`;
    try {
      await rename(lock, moved);
    } catch {
      return; // another process broke it first
    }
    if ((await stat(moved)).ino !== seen.ino) await link(moved, lock).catch(() => {}); // a fresh lock: put it back
    await unlink(moved);
  }

  /** Takes the lock file; resolves its inode so release removes only our own lock. */
  async function acquire(lock: string): Promise<number> {
    const deadline = performance.now() + lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lock, "wx");
        try {
          return (await handle.stat()).ino;
        } finally {
          await handle.close();
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      await breakIfStale(lock);
      if (performance.now() >= deadline) {
        throw new StoreUnavailableError("The file store timed out waiting for a lock.");
      }
      await sleep(Math.min(2 ** attempt, 20) * (0.5 + Math.random()));
    }
  }

  async function release(lock: string, ino: number): Promise<void> {
    const current = await stat(lock).catch(() => undefined);
    if (current?.ino === ino) await unlink(lock).catch(() => {});
  }

  /** Runs `fn` as the only holder of `lock`, in this process and across processes. */
  async function locked<T>(lock: string, fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(lock) ?? Promise.resolve();
    let done!: () => void;
    const turn = new Promise<void>((resolve) => {
      done = resolve;
    });
    const tail = previous.then(() => turn);
    queues.set(lock, tail);
    try {
      await previous;
      const ino = await acquire(lock);
      try {
        return await fn();
      } finally {
        await release(lock, ino);
      }
    } finally {
      done();
      if (queues.get(lock) === tail) queues.delete(lock);
    }
  }

  return { locked };
}
