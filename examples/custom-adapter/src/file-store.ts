import { createHash, randomUUID } from "node:crypto";
import { access, link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GatehouseError, isGatehouseError } from "@gatehouse/core/errors";
import {
  checkKey,
  checkStep,
  checkTtl,
  type IncrementOptions,
  type JsonValue,
  type KeyValueStore,
  type SetOptions,
  StoreUnavailableError,
  serialiseValue,
} from "@gatehouse/core/store";
import { createLocks, type LockOptions } from "./lock.js";

/** Options of {@link createFileStore}. */
export interface FileStoreOptions extends LockOptions {
  /** The source of time for expiry. @default Date */
  clock?: { now(): number };
}

/** What a data file holds. `expiresAt` is ms since the epoch, or null for no expiry. */
interface Entry {
  value: JsonValue;
  expiresAt: number | null;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/**
 * A {@link KeyValueStore} kept in a directory of files, shared safely by every
 * process that opens the same directory. One file per key (`<sha256(key)>.json`,
 * holding `{ expiresAt, value }`).
 *
 * - Readers never lock: every write lands with an atomic `rename` or `link`, so a
 *   reader sees a whole old file or a whole new one.
 * - Writers of a key take its lock file (`open(…, "wx")`), so `increment`'s
 *   read-modify-write cannot interleave with any other write. Callers in one
 *   process queue in memory first, so only one of them contends for the file.
 * - The single-use guarantees do not rest on the lock alone: `consume` and
 *   `delete` take the file away with `rename` (one rename wins), `setIfAbsent`
 *   creates it with `link` (fails if the name exists). They stay exclusive even
 *   if a lock is wrongly broken as stale.
 *
 * The directory must exist; if it is missing or unwritable, operations reject
 * with `store_unavailable`. Expired files are ignored, and removed when their key
 * is next written.
 *
 * @example
 * ```ts
 * const store = createFileStore("/var/lib/myapp/gatehouse");
 * await store.set("otp:alice", { attempts: 0 }, { ttlMs: 600_000 });
 * ```
 */
export function createFileStore(dir: string, options: FileStoreOptions = {}): KeyValueStore {
  const clock = options.clock ?? Date;
  // Every write of a key runs as the only writer of its lock file, across processes.
  const { locked } = createLocks(options);

  function paths(key: string) {
    const hash = createHash("sha256").update(checkKey(key)).digest("hex");
    return { hash, file: join(dir, `${hash}.json`), lock: join(dir, `${hash}.lock`) };
  }
  const tempName = (hash: string) => join(dir, `.${hash}.${randomUUID()}.tmp`);
  const live = (entry: Entry | undefined) =>
    entry !== undefined && (entry.expiresAt === null || entry.expiresAt > clock.now())
      ? entry
      : undefined;
  const encode = (json: string, ttlMs: number | undefined) =>
    `{"expiresAt":${ttlMs === undefined ? null : clock.now() + ttlMs},"value":${json}}`;

  /** The entry in `path`, or undefined if there is none. A missing directory is an outage. */
  async function read(path: string): Promise<Entry | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if (errno(err) !== "ENOENT") throw err;
      await access(dir);
      return undefined;
    }
    return JSON.parse(text) as Entry;
  }

  /** Writes `text` to the key's file, replacing it atomically. */
  async function replace(hash: string, file: string, text: string): Promise<void> {
    const temp = tempName(hash);
    await writeFile(temp, text, { flag: "wx" });
    try {
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  /** Writes `text` to the key's file only if there is none; resolves whether it did. */
  async function create(hash: string, file: string, text: string): Promise<boolean> {
    const temp = tempName(hash);
    await writeFile(temp, text, { flag: "wx" });
    try {
      // Unlike open(file, "wx") + write, link publishes a complete file in one step.
      await link(temp, file);
      return true;
    } catch (err) {
      if (errno(err) === "EEXIST") return false;
      throw err;
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /** Takes the key's file away and resolves what it held: of racing callers, one rename wins. */
  async function claim(hash: string, file: string): Promise<Entry | undefined> {
    const temp = tempName(hash);
    try {
      await rename(file, temp);
    } catch (err) {
      if (errno(err) !== "ENOENT") throw err;
      await access(dir);
      return undefined;
    }
    try {
      return await read(temp);
    } finally {
      await unlink(temp).catch(() => {});
    }
  }

  /** Maps file system failures (missing directory, EACCES, ENOSPC, corrupt file) to `store_unavailable`. */
  async function run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isGatehouseError(err)) throw err;
      throw new StoreUnavailableError("The file store cannot use its directory.", { cause: err });
    }
  }

  return Object.freeze({
    async get<T extends JsonValue = JsonValue>(key: string) {
      const { file } = paths(key);
      return run(async () => live(await read(file))?.value as T | undefined);
    },

    async set(key: string, value: JsonValue, opts?: SetOptions) {
      const { hash, file, lock } = paths(key);
      const json = serialiseValue(value);
      const ttlMs = checkTtl(opts?.ttlMs);
      await run(() => locked(lock, () => replace(hash, file, encode(json, ttlMs))));
    },

    async setIfAbsent(key: string, value: JsonValue, opts?: SetOptions) {
      const { hash, file, lock } = paths(key);
      const json = serialiseValue(value);
      const ttlMs = checkTtl(opts?.ttlMs);
      return run(() =>
        locked(lock, async () => {
          for (let attempt = 0; attempt < 3; attempt++) {
            if (await create(hash, file, encode(json, ttlMs))) return true;
            if (live(await read(file))) return false;
            // Expired counts as absent: take the file away with rename, so of two racers
            // only one removes it, then try to create again.
            const taken = await claim(hash, file);
            if (live(taken)) {
              // It was replaced between our read and our rename: put it back, we lost.
              await create(hash, file, JSON.stringify(taken));
              return false;
            }
          }
          return false;
        }),
      );
    },

    async consume<T extends JsonValue = JsonValue>(key: string) {
      const { hash, file, lock } = paths(key);
      return run(() =>
        locked(lock, async () => live(await claim(hash, file))?.value as T | undefined),
      );
    },

    async increment(key: string, opts?: IncrementOptions) {
      const { hash, file, lock } = paths(key);
      const by = checkStep(opts?.by);
      const ttlMs = checkTtl(opts?.ttlMs);
      return run(() =>
        locked(lock, async () => {
          const current = live(await read(file));
          if (current === undefined) {
            await replace(hash, file, encode(String(by), ttlMs));
            return by;
          }
          if (typeof current.value !== "number" || !Number.isSafeInteger(current.value)) {
            throw new GatehouseError(
              "store_invalid",
              "increment on a key that does not hold an integer.",
            );
          }
          const next = current.value + by;
          if (!Number.isSafeInteger(next)) {
            throw new GatehouseError("store_invalid", "increment overflow.");
          }
          // The expiry is the one set when the counter was created: the window never slides.
          await replace(hash, file, JSON.stringify({ expiresAt: current.expiresAt, value: next }));
          return next;
        }),
      );
    },

    async delete(key: string) {
      const { hash, file, lock } = paths(key);
      return run(() => locked(lock, async () => live(await claim(hash, file)) !== undefined));
    },
  });
}
