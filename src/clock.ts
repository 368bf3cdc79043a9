// Time as Sluice's state machines see it (the coordinators' groups,
// transactions and share partitions; the client's producer and group
// consumer): the current time and one-shot timers. Production uses the system
// clock; tests drive a fake one (test/helpers/fake-clock.ts), so timeouts are
// proven without waiting.

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

/** The system clock; a pending timer keeps the process alive (a producer's retry must happen). */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * The system clock for housekeeping that must never keep a process alive on
 * its own (a consumer's heartbeats and auto-commits): its timers are unref'd,
 * so what keeps the process alive is the consumer's open connections.
 */
export const backgroundClock: Clock = {
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
