// `bulkWrites: "worker"`: createMany's INSERTs run on a worker thread with its own
// better-sqlite3 connection to the same file. better-sqlite3 is synchronous, so on the main
// thread a 500-row INSERT holds the event loop for milliseconds; on the writer thread it
// overlaps the caller's next work (an audit log chains its next batch meanwhile). The rows
// are checked and encoded before they are sent, so the thread only runs prepared statements.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { WRITER_THREAD_SOURCE } from "./writer-thread-source.js";

/** One multi-row INSERT: its text and its bound values. */
export interface BulkChunk {
  readonly text: string;
  readonly params: readonly unknown[];
}

/** @internal The writer thread. */
export interface BulkWriter {
  /** Starts the thread (and its connection) ahead of the first insert; idempotent. */
  start(): void;
  /** Runs the chunks in one transaction; resolves the rows inserted. Rejects with the driver's error. */
  insert(chunks: readonly BulkChunk[]): Promise<number>;
  /** Lets the writes sent so far finish, then closes the thread's connection and ends it. */
  close(): Promise<void>;
}

interface Reply {
  readonly id: number;
  readonly changes?: number;
  readonly error?: { name: string; message: string; code?: string };
}

interface Waiting {
  resolve(changes: number): void;
  reject(error: unknown): void;
}

/**
 * The file of the better-sqlite3 copy this package's own `import("better-sqlite3")` loads,
 * so the thread loads the same one: `import.meta.resolve` applies the loader hooks and
 * conditions that import does; the CJS build (no `import.meta`) resolves as `require` does.
 */
function driverPath(): string {
  const meta = import.meta as { resolve?: (specifier: string) => string };
  if (typeof meta.resolve === "function") return fileURLToPath(meta.resolve("better-sqlite3"));
  return createRequire(__filename).resolve("better-sqlite3");
}

/** A driver error rebuilt from what the thread sent, so the store maps it as its own. */
function driverError(sent: NonNullable<Reply["error"]>): Error {
  const error = new Error(sent.message) as Error & { code?: string };
  error.name = sent.name;
  if (sent.code !== undefined) error.code = sent.code;
  return error;
}

/** One thread and the writes it owes answers for. */
class WriterThread {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #next = 0;
  #ended = false;
  readonly exited: Promise<void>;

  constructor(file: string, timeoutMs: number, onEnd: (thread: WriterThread) => void) {
    this.#worker = new Worker(WRITER_THREAD_SOURCE, {
      eval: true,
      // Plain Node: none of the process's loaders (tsx, APM hooks) or eval flags.
      execArgv: [],
      workerData: { driver: driverPath(), file, timeoutMs },
    });
    // Idle, the thread must not keep the process alive; while a write is out, it must.
    this.#worker.unref();
    this.#worker.on("message", (reply: Reply) => this.#answer(reply));
    const end = (error: Error) => {
      if (this.#ended) return;
      this.#ended = true;
      onEnd(this);
      for (const waiting of this.#waiting.values()) waiting.reject(error);
      this.#waiting.clear();
    };
    this.#worker.on("error", end);
    this.exited = new Promise((resolve) => {
      this.#worker.once("exit", (code) => {
        end(new Error(`The SQLite writer thread exited (code ${code}) before answering`));
        resolve();
      });
    });
  }

  insert(chunks: readonly BulkChunk[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const id = this.#next++;
      if (this.#waiting.size === 0) this.#worker.ref();
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, chunks });
    });
  }

  #answer(reply: Reply): void {
    const waiting = this.#waiting.get(reply.id);
    if (waiting === undefined) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) this.#worker.unref();
    if (reply.error !== undefined) waiting.reject(driverError(reply.error));
    else waiting.resolve(reply.changes ?? 0);
  }

  /** Messages are handled in order: the close runs after every write sent before it. */
  async close(): Promise<void> {
    if (!this.#ended) {
      this.#worker.ref();
      this.#worker.postMessage({ close: true });
    }
    await this.exited;
  }
}

/** @internal A writer for `file`; its thread starts on `start()` or the first insert (again after one ended). */
export function createBulkWriter(file: string, timeoutMs: number): BulkWriter {
  let thread: WriterThread | undefined;
  const forget = (ended: WriterThread) => {
    if (thread === ended) thread = undefined;
  };
  const started = () => {
    thread ??= new WriterThread(file, timeoutMs, forget);
    return thread;
  };
  return {
    start() {
      try {
        started();
      } catch {
        // Not fatal here: the first insert tries again and rejects with the reason.
      }
    },
    insert(chunks) {
      return started().insert(chunks);
    },
    async close() {
      const current = thread;
      thread = undefined;
      await current?.close();
    },
  };
}
