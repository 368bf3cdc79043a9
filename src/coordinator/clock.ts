// Time as the coordinators' state machines see it: the current time and
// one-shot timers. Production uses the system clock; tests drive a fake one,
// so timeouts are proven without waiting.

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
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  },
};
