/**
 * Event ids: RFC 9562 UUIDv7, sortable by time and strictly increasing within
 * a process.
 *
 * @packageDocumentation
 */
import { randomFillSync } from "node:crypto";

// 42-bit counter in rand_a (12 bits) and the top of rand_b (30 bits),
// RFC 9562 §6.2 method 1: seeded at random each millisecond with its top bit
// clear, so a burst has room to count up before the millisecond must advance.
const COUNTER_BITS = 42;
const COUNTER_MAX = 2 ** COUNTER_BITS - 1;
const SEED_RANGE = 2 ** (COUNTER_BITS - 1);

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

const h = (n: number): string => HEX[n & 0xff]!;

let lastMs = -1;
let counter = 0;

function random(bytes: number): Buffer {
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return slice;
}

function seedCounter(): number {
  const r = random(6);
  // 41 random bits: r[0..4] (40 bits) and one bit of r[5].
  return ((r[0]! * 2 ** 32 + r.readUInt32BE(1)) * 2 + (r[5]! & 1)) % SEED_RANGE;
}

/**
 * A new UUIDv7 (RFC 9562) for an event at `now` (epoch ms), in lower-case hex.
 * Ids made by one process are strictly increasing, also within the same
 * millisecond and when `now` goes backwards: the millisecond never decreases
 * and a counter in the random bits orders the ids within it.
 *
 * @example
 * ```ts
 * uuidv7(Date.now()); // "019b7a4c-5e21-7d3a-9f1c-2b4e8a6d0c13"
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.7
 */
export function uuidv7(now: number): string {
  const ms = Math.floor(now);
  if (ms > lastMs) {
    lastMs = ms;
    counter = seedCounter();
  } else if (counter < COUNTER_MAX) {
    counter++;
  } else {
    // 2^41 ids in one millisecond at least: borrow the next one.
    lastMs++;
    counter = seedCounter();
  }
  const t = lastMs;
  const hi = Math.floor(counter / 2 ** 30); // 12 bits
  const lo = counter % 2 ** 30; // 30 bits
  const r = random(4);
  const thi = Math.floor(t / 2 ** 16);
  return (
    h(thi / 2 ** 24) +
    h(thi >>> 16) +
    h(thi >>> 8) +
    h(thi) +
    "-" +
    h(t >>> 8) +
    h(t) +
    "-" +
    h(0x70 | (hi >>> 8)) +
    h(hi) +
    "-" +
    h(0x80 | (lo >>> 24)) +
    h(lo >>> 16) +
    "-" +
    h(lo >>> 8) +
    h(lo) +
    h(r[0]!) +
    h(r[1]!) +
    h(r[2]!) +
    h(r[3]!)
  );
}

/** The epoch milliseconds a UUIDv7 was made at (its first 48 bits). */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
