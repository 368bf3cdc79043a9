// Time as the client's state machines see it (the group consumer's
// heartbeats, pauses and auto-commit interval): the current time and
// one-shot timers. The same shape as the coordinators' Clock
// (src/coordinator/clock.ts), so one fake clock drives tests of both; the
// client keeps its own because it does not import the broker's layers, and
// because its timers are unref'd: a client's open connections keep a
// process alive while it is in use, its timers alone never do.

export interface Timer {
  /** Stops the timer; a no-op once it has fired. */
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now, unless cancelled first. */
  schedule(ms: number, fn: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const handle = setTimeout(fn, ms).unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** Resolves after `ms` of `clock`'s time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}
