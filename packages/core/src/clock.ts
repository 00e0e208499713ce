/**
 * A source of time. Gatehouse never reads `Date.now()` in its logic, so tests
 * can freeze or advance time (see `createFakeClock` in `@gatehouse/testing`).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
