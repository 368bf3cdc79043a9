// Time as Sluice's state machines see it (the coordinators' groups,
// transactions and share partitions; the client's group consumer): the
// current time and one-shot timers. Production uses the system clock; tests
// drive a fake one (test/helpers/fake-clock.ts), so timeouts are proven
// without waiting. System timers are unref'd: what keeps a process alive is
// its open sockets (a listener, a client's connections), never a timer alone.

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
