// How long to wait before connecting to a broker address again, as Kafka's
// reconnect.backoff.ms / reconnect.backoff.max.ms (KIP-144): each failed
// attempt in a row doubles the wait from the base up to the cap, with jitter
// (`backoffDelayMs`); a successful connection resets the address. Time and
// chance are injected, so the schedule is tested without waiting.

import { backoffDelayMs } from './backoff.js';

export interface BackoffOptions {
  /** Wait after the first failed attempt (ms). Default 50, as Kafka's reconnect.backoff.ms. */
  reconnectBackoffMs?: number;
  /** The most the wait grows to (ms). Default 1000, as Kafka's reconnect.backoff.max.ms. */
  reconnectBackoffMaxMs?: number;
}

export class ReconnectBackoff {
  private readonly baseMs: number;
  private readonly maxMs: number;
  /** Per address: failed attempts in a row, and the time the next attempt may start. */
  private readonly failures = new Map<string, { count: number; retryAt: number }>();

  constructor(
    options: BackoffOptions = {},
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.baseMs = options.reconnectBackoffMs ?? 50;
    this.maxMs = Math.max(this.baseMs, options.reconnectBackoffMaxMs ?? 1000);
  }

  /** Milliseconds to wait before the next attempt to reach `address` (0: at once). */
  delayFor(address: string): number {
    const f = this.failures.get(address);
    return f ? Math.max(0, f.retryAt - this.now()) : 0;
  }

  /** An attempt to reach `address` failed: the next one waits longer. */
  failed(address: string): void {
    const count = (this.failures.get(address)?.count ?? 0) + 1;
    this.failures.set(address, { count, retryAt: this.now() + backoffDelayMs(count, this.baseMs, this.maxMs, this.random) });
  }

  /** `address` answered: the next failure starts from the base again. */
  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
