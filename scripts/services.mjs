#!/usr/bin/env node
// Throwaway PostgreSQL and Redis servers for tests: each on a free port on
// 127.0.0.1, in a fresh temporary directory, with every wait bounded, and
// killed (directory removed) when this process exits. Used by the vitest
// globalSetup in test/setup/services.ts; run `node scripts/services.mjs check`
// to try it by hand, or `... up` to keep both running for a manual test run.
// No client libraries: a minimal wire-protocol client for each is included.
import { spawn, spawnSync } from "node:child_process";
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

const TIMEOUT_MS = 20_000;
const APT_TIMEOUT_MS = 10 * 60_000;
const isRoot = process.getuid?.() === 0;

// ── helpers ─────────────────────────────────────────────────────────────────

/** The absolute path of an executable on PATH, or undefined. */
export function which(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {}
  }
  return undefined;
}

const tail = (text, lines = 30) => text.trim().split("\n").slice(-lines).join("\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const shellQuote = (s) => `'${String(s).replaceAll("'", "'\\''")}'`;

/**
 * Runs a command to completion (bounded), resolving with its output or
 * rejecting with an error that carries the command and the tail of its output.
 */
function run(cmd, args, { timeoutMs = TIMEOUT_MS, env, cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ? { ...process.env, ...env } : process.env,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const fail = (why) =>
      reject(new Error(`${[cmd, ...args].join(" ")} ${why}${out.trim() ? `:\n${tail(out)}` : ""}`));
    child.on("error", (err) => {
      clearTimeout(timer);
      fail(`could not run (${err.message})`);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else if (signal === "SIGKILL") fail(`timed out after ${timeoutMs / 1000} s`);
      else fail(`failed (${signal ?? `exit ${code}`})`);
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Children and data directories to remove if this process exits first.
const exitCleanups = new Set();
process.on("exit", () => {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {}
  }
});

// ── PostgreSQL ─────────────────────────────────────────────────────────────

/** The directory holding initdb, pg_ctl and postgres (PATH first, then Debian's layout). */
function postgresBinDir() {
  const onPath = which("pg_ctl");
  if (onPath && which("initdb")) return undefined; // use PATH
  let versions = [];
  try {
    versions = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  } catch {}
  for (const version of ["15", ...versions]) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    try {
      accessSync(join(dir, "pg_ctl"), constants.X_OK);
      return dir;
    } catch {}
  }
  throw new Error(
    "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin: install PostgreSQL 15 (Debian: apt-get install -y postgresql-15), or set GATEHOUSE_TEST_PG_URL to an existing server",
  );
}

/** The uid and gid of the `postgres` OS user, which must run the server when we are root. */
function postgresUser() {
  const result = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (result.status !== 0 || gid.status !== 0) {
    throw new Error(
      "running as root, and PostgreSQL refuses to run as root, but there is no `postgres` OS user to run it as: create one (useradd --system postgres) or run the tests as a non-root user",
    );
  }
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The temp directory, or /tmp when we are root and the postgres user could not reach it. */
function postgresTmpdir() {
  const dir = tmpdir();
  if (!isRoot) return dir;
  for (let d = dir; ; d = dirname(d)) {
    if (!(statSync(d).mode & 0o001)) return "/tmp";
    if (dirname(d) === d) return dir;
  }
}

/** `cmd args` as the postgres OS user when we are root, else as ourselves. */
function asPostgres(cmd, args) {
  if (!isRoot) return [cmd, args];
  if (which("runuser")) return ["runuser", ["-u", "postgres", "--", cmd, ...args]];
  return ["su", ["postgres", "-s", "/bin/sh", "-c", [cmd, ...args].map(shellQuote).join(" ")]];
}

/**
 * Starts a throwaway PostgreSQL server (trust auth, fsync off) on a free port
 * on 127.0.0.1 with an empty database `gatehouse_test` (or `database`).
 */
export async function startPostgres({ database = "gatehouse_test", timeoutMs = TIMEOUT_MS } = {}) {
  const binDir = postgresBinDir();
  const bin = (name) => (binDir ? join(binDir, name) : name);
  const owner = isRoot ? postgresUser() : undefined;
  const dir = mkdtempSync(join(postgresTmpdir(), "gatehouse-pg-"));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "postgres.log");
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const pg = (name, args, options) => {
    const [cmd, argv] = asPostgres(bin(name), args);
    return run(cmd, argv, { cwd: dir, timeoutMs, ...options });
  };

  let port = 0;
  let running = false;
  let removed = false;
  const stopSync = () => {
    if (!running) return;
    const [cmd, argv] = asPostgres(bin("pg_ctl"), ["stop", "-D", dataDir, "-m", "immediate"]);
    spawnSync(cmd, [...argv, "-w", "-t", "10"], { cwd: dir, stdio: "ignore", timeout: 15_000 });
    running = false;
  };
  const cleanupSync = () => {
    stopSync();
    if (!removed) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    removed = true;
    exitCleanups.delete(cleanupSync);
  };
  exitCleanups.add(cleanupSync);

  const start = async () => {
    if (running) return;
    if (removed) throw new Error("this PostgreSQL server was cleaned up; start a new one");
    const options = `-p ${port} -k ${shellQuote(dir)} -h 127.0.0.1 -F`;
    try {
      await pg("pg_ctl", [
        "start",
        "-w",
        "-t",
        String(Math.ceil(timeoutMs / 1000)),
        "-D",
        dataDir,
        "-l",
        logFile,
        "-o",
        options,
      ]);
    } catch (err) {
      // pg_ctl may have left a half-started server behind: make sure it is gone.
      running = true;
      stopSync();
      const log = await readFile(logFile, "utf8").catch(() => "");
      throw new Error(
        `PostgreSQL did not start on 127.0.0.1:${port}: ${err.message}\n${tail(log)}`,
      );
    }
    running = true;
  };
  const stop = async (mode = "fast") => {
    if (!running) return;
    await pg("pg_ctl", [
      "stop",
      "-D",
      dataDir,
      "-m",
      mode,
      "-w",
      "-t",
      String(Math.ceil(timeoutMs / 1000)),
    ]);
    running = false;
  };

  try {
    const initdbArgs = ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8"];
    await pg("initdb", [...initdbArgs, "--locale=C", "--no-sync", "--no-instructions"]);
    // The port was free a moment ago; if something took it since, try another.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (err) {
        if (attempt >= 3 || !/address already in use|could not bind/i.test(err.message)) throw err;
      }
    }
    await pgQuery(
      `postgres://postgres@127.0.0.1:${port}/postgres`,
      `CREATE DATABASE "${database}"`,
    );
  } catch (err) {
    cleanupSync();
    throw err;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    logFile,
    get running() {
      return running;
    },
    /** Clean shutdown (`pg_ctl stop -m fast`); the data directory is kept for `start()`. */
    stop: () => stop("fast"),
    /** Crash-like shutdown (`pg_ctl stop -m immediate`): recovery runs on the next start. */
    kill: () => stop("immediate"),
    /** Starts the stopped server again on the same port and data directory. */
    start,
    /** Stops the server if it is running, then starts it again. */
    restart: async () => {
      await stop("fast");
      await start();
    },
    /** Stops the server (immediately) and removes its temporary directory. */
    cleanup: async () => {
      await stop("immediate").catch(() => {});
      cleanupSync();
    },
  };
}

/**
 * Runs one SQL statement with the simple-query protocol (trust auth only) and
 * resolves with its rows as arrays of text values (null for NULL).
 */
export function pgQuery(url, sql, { timeoutMs = 5_000 } = {}) {
  const { hostname, port, username, pathname } = new URL(url);
  const user = decodeURIComponent(username || "postgres");
  const database = decodeURIComponent(pathname.slice(1) || user);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432) });
    const timer = setTimeout(
      () => done(new Error(`PostgreSQL at ${hostname}:${port} did not answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const rows = [];
    let error;
    let queried = false;
    let buffer = Buffer.alloc(0);
    const done = (err, value) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const message = (type, body) => {
      const head = Buffer.alloc(type ? 5 : 4);
      if (type) head.write(type);
      head.writeInt32BE(body.length + 4, type ? 1 : 0);
      return Buffer.concat([head, body]);
    };
    socket.on("connect", () => {
      const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
      const version = Buffer.alloc(4);
      version.writeInt32BE(196608);
      socket.write(message("", Buffer.concat([version, params])));
    });
    socket.on("error", (err) => done(err));
    socket.on("close", () => done(new Error("PostgreSQL closed the connection")));
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 5) {
        const type = String.fromCharCode(buffer[0]);
        const end = 1 + buffer.readInt32BE(1);
        if (buffer.length < end) return;
        const body = buffer.subarray(5, end);
        buffer = buffer.subarray(end);
        if (type === "R" && body.readInt32BE(0) !== 0) {
          return done(new Error("pgQuery supports only trust authentication"));
        }
        if (type === "E") {
          const fields = body.toString("utf8").split("\0");
          const text = fields.find((f) => f.startsWith("M"))?.slice(1) ?? "unknown error";
          error = new Error(`PostgreSQL: ${text}`);
          if (!queried) return done(error);
        } else if (type === "D") {
          const row = [];
          let at = 2;
          for (let i = 0; i < body.readInt16BE(0); i++) {
            const length = body.readInt32BE(at);
            at += 4;
            row.push(length < 0 ? null : body.toString("utf8", at, at + length));
            at += Math.max(length, 0);
          }
          rows.push(row);
        } else if (type === "Z") {
          if (queried) {
            socket.write(message("X", Buffer.alloc(0)));
            return done(error, rows);
          }
          queried = true;
          socket.write(message("Q", Buffer.from(`${sql}\0`)));
        }
      }
    });
  });
}

// ── Redis ──────────────────────────────────────────────────────────────────

let aptUpdated = false;

/**
 * Makes sure `redis-server` is on PATH: as root, installs Debian's package with
 * apt-get (non-interactive); otherwise throws an error saying what to install.
 * Resolves with the path of redis-server.
 */
export async function ensureRedisInstalled() {
  const found = which("redis-server");
  if (found) return found;
  if (!isRoot || !which("apt-get")) {
    throw new Error(
      "redis-server is not installed: install Redis 7 (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis), or set GATEHOUSE_TEST_REDIS_URL to an existing server",
    );
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const options = { env, timeoutMs: APT_TIMEOUT_MS };
  const lock = ["-o", "DPkg::Lock::Timeout=120"];
  process.stderr.write("redis-server is missing: installing it with apt-get…\n");
  if (!aptUpdated) {
    await run("apt-get", [...lock, "update"], options);
    aptUpdated = true;
  }
  await run("apt-get", [...lock, "install", "-y", "redis-server"], options);
  const installed = which("redis-server");
  if (!installed) throw new Error("apt-get installed redis-server, but it is not on PATH");
  return installed;
}

/**
 * Starts a throwaway Redis server (no persistence) on a free port on
 * 127.0.0.1 as a child process. Needs redis-server on PATH (see ensureRedisInstalled).
 */
export async function startRedis({ timeoutMs = TIMEOUT_MS } = {}) {
  const redisServer = which("redis-server");
  if (!redisServer) {
    throw new Error("redis-server is not on PATH: call ensureRedisInstalled() first");
  }
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-redis-"));
  let port = 0;
  let child;
  let output = "";
  let removed = false;
  const cleanupSync = () => {
    child?.kill("SIGKILL");
    if (!removed) rmSync(dir, { recursive: true, force: true });
    removed = true;
    exitCleanups.delete(cleanupSync);
  };
  exitCleanups.add(cleanupSync);

  const exited = (proc) =>
    new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once("exit", () => resolve());
    });

  const start = async () => {
    if (child) return;
    if (removed) throw new Error("this Redis server was cleaned up; start a new one");
    output = "";
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
    ];
    const proc = spawn(redisServer, [...args, "--daemonize", "no", "--dir", dir], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    const collect = (d) => {
      output = (output + d).slice(-8_000);
    };
    proc.stdout.on("data", collect);
    proc.stderr.on("data", collect);
    proc.on("error", collect);
    proc.on("exit", () => {
      if (child === proc) child = undefined;
    });
    // Neither the child nor its pipes keep this process alive; exit kills it.
    proc.unref();
    proc.stdout.unref?.();
    proc.stderr.unref?.();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child !== proc) {
        throw new Error(`redis-server exited before answering PING:\n${tail(output)}`);
      }
      const reply = await redisCommand(`redis://127.0.0.1:${port}`, ["PING"], {
        timeoutMs: 1_000,
      }).catch(() => undefined);
      if (reply === "PONG") return;
      if (Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(
          `redis-server did not answer PING on 127.0.0.1:${port} within ${timeoutMs / 1000} s:\n${tail(output)}`,
        );
      }
      await sleep(25);
    }
  };
  const stop = async (signal = "SIGTERM") => {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited(proc);
    clearTimeout(timer);
  };

  try {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await start();
        break;
      } catch (err) {
        if (attempt >= 3 || !/address already in use/i.test(err.message)) throw err;
      }
    }
  } catch (err) {
    cleanupSync();
    throw err;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    /** Clean shutdown (SIGTERM). */
    stop: () => stop("SIGTERM"),
    /** Abrupt death (SIGKILL). */
    kill: () => stop("SIGKILL"),
    /** Starts the stopped server again on the same port (empty: nothing is persisted). */
    start,
    /** Stops the server if it is running, then starts it again. */
    restart: async () => {
      await stop("SIGTERM");
      await start();
    },
    /** Stops the server and removes its temporary directory. */
    cleanup: async () => {
      await stop("SIGKILL");
      cleanupSync();
    },
  };
}

/**
 * Sends one command (a RESP array of bulk strings) and resolves with the
 * reply: a string, a number, null, or an array; rejects on an error reply.
 */
export function redisCommand(url, args, { timeoutMs = 5_000 } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const timer = setTimeout(
      () => done(new Error(`Redis at ${hostname}:${port} did not answer in ${timeoutMs} ms`)),
      timeoutMs,
    );
    let buffer = Buffer.alloc(0);
    const done = (err, value) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    socket.on("connect", () => {
      const parts = args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`);
      socket.write(`*${args.length}\r\n${parts.join("")}`);
    });
    socket.on("error", (err) => done(err));
    socket.on("close", () => done(new Error("Redis closed the connection")));
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseResp(buffer, 0);
      if (!parsed) return;
      if (parsed.value instanceof Error) done(parsed.value);
      else done(undefined, parsed.value);
    });
  });
}

// Parses one RESP2 value at byte offset `at`; undefined if it is not complete yet.
function parseResp(buffer, at) {
  const eol = buffer.indexOf("\r\n", at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buffer[at]);
  const line = buffer.toString("utf8", at + 1, eol);
  const next = eol + 2;
  if (type === "+") return { value: line, next };
  if (type === "-") return { value: new Error(`Redis: ${line}`), next };
  if (type === ":") return { value: Number(line), next };
  if (type === "$") {
    const length = Number(line);
    if (length < 0) return { value: null, next };
    if (buffer.length < next + length + 2) return undefined;
    return { value: buffer.toString("utf8", next, next + length), next: next + length + 2 };
  }
  if (type === "*") {
    const count = Number(line);
    if (count < 0) return { value: null, next };
    const items = [];
    let cursor = next;
    for (let i = 0; i < count; i++) {
      const item = parseResp(buffer, cursor);
      if (!item) return undefined;
      items.push(item.value);
      cursor = item.next;
    }
    return { value: items, next: cursor };
  }
  return { value: new Error(`Redis: unexpected reply ${JSON.stringify(line)}`), next };
}

// ── CLI ────────────────────────────────────────────────────────────────────

async function main(command) {
  const timed = async (what, fn) => {
    const started = performance.now();
    const value = await fn();
    console.log(`${what}: ${Math.round(performance.now() - started)} ms`);
    return value;
  };
  if (command === "check") {
    await timed("redis-server present", ensureRedisInstalled);
    const pg = await timed("PostgreSQL start", () => startPostgres());
    const redis = await timed("Redis start", () => startRedis());
    try {
      const [[pgVersion]] = await pgQuery(pg.url, "SELECT version()");
      const info = await redisCommand(redis.url, ["INFO", "server"]);
      console.log(`${pg.url}  ${pgVersion}`);
      console.log(`${redis.url}  Redis ${/redis_version:(\S+)/.exec(info)?.[1]}`);
      await timed("PostgreSQL restart", () => pg.restart());
      await timed("Redis restart", () => redis.restart());
      await pgQuery(pg.url, "SELECT 1");
      await redisCommand(redis.url, ["PING"]);
    } finally {
      await timed("stop and clean up", () => Promise.all([pg.cleanup(), redis.cleanup()]));
    }
    console.log("ok");
  } else if (command === "up") {
    await ensureRedisInstalled();
    const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    console.log(`export GATEHOUSE_TEST_PG_URL=${pg.url} GATEHOUSE_TEST_REDIS_URL=${redis.url}`);
    console.error("running; Ctrl-C stops both and removes their directories");
    setInterval(() => {}, 1 << 30);
  } else {
    console.error("usage: node scripts/services.mjs check|up");
    process.exit(2);
  }
}

if (import.meta.filename === process.argv[1]) {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.once(signal, () => process.exit(130));
  main(process.argv[2]).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
