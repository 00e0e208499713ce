/**
 * A source of the current time in epoch milliseconds. Structurally the same as the clock
 * Gatehouse verifiers accept, so one fake clock drives both minting and verifying.
 */
export interface Clock {
  /** Current time in milliseconds since the Unix epoch. */
  now(): number;
}

/** A {@link Clock} that only moves when told to. */
export interface FakeClock extends Clock {
  /** Move the clock forward by `ms` milliseconds (finite, ≥ 0). */
  advance(ms: number): void;
  /** Set the clock to `ms` milliseconds since the epoch (finite); may move it backwards. */
  set(ms: number): void;
}

/** Default start of {@link createFakeClock}: 2026-01-01T00:00:00Z, in epoch milliseconds. */
export const FAKE_CLOCK_START_MS: number = Date.UTC(2026, 0, 1);

const systemClock: Clock = { now: () => Date.now() };

function assertFinite(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number of milliseconds`);
  }
}

/**
 * Create a frozen clock for tests, starting at a fixed instant.
 *
 * @param startMs - Start time in epoch milliseconds.
 * @default startMs 2026-01-01T00:00:00Z ({@link FAKE_CLOCK_START_MS})
 * @throws TypeError when `startMs` is not finite.
 * @example
 * ```ts
 * const clock = createFakeClock();
 * const token = await mintToken(keys, { sub: "u1" }, { clock, expiresInSec: 60 });
 * clock.advance(61_000); // the token is now expired for a verifier using `clock`
 * ```
 */
export function createFakeClock(startMs: number = FAKE_CLOCK_START_MS): FakeClock {
  assertFinite("createFakeClock: startMs", startMs);
  let current = startMs;
  return {
    now: () => current,
    advance(ms: number): void {
      assertFinite("FakeClock.advance: ms", ms);
      if (ms < 0) throw new RangeError("FakeClock.advance: ms must be >= 0; use set() to go back");
      current += ms;
    },
    set(ms: number): void {
      assertFinite("FakeClock.set: ms", ms);
      current = ms;
    },
  };
}

/**
 * Read a clock in whole seconds since the epoch (rounded down), as JWT `NumericDate` claims use.
 *
 * @param clock - The clock to read.
 * @default clock the system clock (`Date.now`)
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-2 (NumericDate)
 * @example
 * ```ts
 * nowSec(createFakeClock()); // 1767225600
 * ```
 */
export function nowSec(clock: Clock = systemClock): number {
  return Math.floor(clock.now() / 1000);
}
