// Exponential backoff with jitter, shared by reconnects and retries: the wait
// after the n-th failure in a row is base·2^(n-1), capped, spread by ±20% (as
// Kafka's reconnect and retry backoffs, KIP-144 and KIP-580) so that clients
// that failed together do not come back together, and never past the cap.

const JITTER = 0.2;

/** The wait (ms) after `failures` failures in a row (1: the first); `random` returns [0, 1). */
export function backoffDelayMs(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  return Math.min(maxMs, Math.round(exponential * (1 - JITTER + 2 * JITTER * random())));
}
