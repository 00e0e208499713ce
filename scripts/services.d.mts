// Types for scripts/services.mjs (throwaway PostgreSQL and Redis servers for tests).

export interface ServiceOptions {
  /** Bound on every wait (start, stop, readiness); default 20 000 ms. */
  timeoutMs?: number;
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/gatehouse_test` (trust auth, no password). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly running: boolean;
  /** Clean shutdown (`pg_ctl stop -m fast`); the data directory is kept for `start()`. */
  stop(): Promise<void>;
  /** Crash-like shutdown (`pg_ctl stop -m immediate`): recovery runs on the next start. */
  kill(): Promise<void>;
  /** Starts the stopped server again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops the server if it is running, then starts it again. */
  restart(): Promise<void>;
  /** Stops the server (immediately) and removes its temporary directory. */
  cleanup(): Promise<void>;
}

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` (no password, no persistence). */
  readonly url: string;
  readonly port: number;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Clean shutdown (SIGTERM). */
  stop(): Promise<void>;
  /** Abrupt death (SIGKILL). */
  kill(): Promise<void>;
  /** Starts the stopped server again on the same port (empty: nothing is persisted). */
  start(): Promise<void>;
  /** Stops the server if it is running, then starts it again. */
  restart(): Promise<void>;
  /** Stops the server and removes its temporary directory. */
  cleanup(): Promise<void>;
}

export type RedisReply = string | number | null | RedisReply[];

export function which(name: string): string | undefined;
export function freePort(): Promise<number>;
export function ensureRedisInstalled(): Promise<string>;
export function startPostgres(
  options?: ServiceOptions & { database?: string },
): Promise<PostgresServer>;
export function startRedis(options?: ServiceOptions): Promise<RedisServer>;
export function pgQuery(
  url: string,
  sql: string,
  options?: { timeoutMs?: number },
): Promise<(string | null)[][]>;
export function redisCommand(
  url: string,
  args: (string | number)[],
  options?: { timeoutMs?: number },
): Promise<RedisReply>;
