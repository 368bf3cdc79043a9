// A rate measured over sampled windows, as Kafka's quota sensors measure it
// (KIP-13: a Rate over a SampledStat of quota.window.num samples, each
// quota.window.size.seconds long). Time is given by the caller: no clock here.
//
//   samples (a ring):  [ start₀ value₀ ][ start₁ value₁ ] ... [ start₍ₙ₋₁₎ value₍ₙ₋₁₎ ]
//                                        ▲ current: records land here until windowMs has passed
//
// rate = sum of the live samples' values / elapsed, elapsed running from the
// oldest live sample's start to now but never less than n-1 whole windows, so
// that the first bytes of a quiet client are not read as a burst at an
// infinite rate. A sample whose window ended more than n windows ago is dead:
// it counts nothing. Invariant: starts never decrease from the oldest live
// sample to the current one.

export class SampledRate {
  private readonly starts: number[];
  private readonly values: number[];
  private current = 0;

  constructor(
    /** Span of one sample (ms). */
    private readonly windowMs: number,
    /** Number of samples, at least 2. */
    private readonly windows: number,
    nowMs: number,
  ) {
    this.starts = new Array<number>(windows).fill(nowMs);
    this.values = new Array<number>(windows).fill(0);
  }

  /** Adds `value` at `nowMs`, starting a new sample when the current one's window has passed. */
  record(value: number, nowMs: number): void {
    if (nowMs >= this.starts[this.current] + this.windowMs) {
      this.current = (this.current + 1) % this.windows;
      this.starts[this.current] = nowMs;
      this.values[this.current] = 0;
    }
    this.values[this.current] += value;
  }

  /** Takes back a value recorded at `nowMs` (a Fetch answered empty after all); never below zero. */
  unrecord(value: number, nowMs: number): void {
    this.record(-Math.min(value, this.values[this.current]), nowMs);
  }

  /** Per second, at `nowMs`. */
  perSecond(nowMs: number): number {
    return (this.total(nowMs) * 1000) / this.elapsedMs(nowMs);
  }

  /** The span the rate is measured over at `nowMs` (ms): from the oldest live sample, at least n-1 windows. */
  elapsedMs(nowMs: number): number {
    let oldest = nowMs;
    for (let i = 0; i < this.windows; i++) if (this.isLive(i, nowMs) && this.starts[i] < oldest) oldest = this.starts[i];
    const minimum = (this.windows - 1) * this.windowMs;
    const full = Math.floor((nowMs - oldest) / this.windowMs) * this.windowMs;
    return Math.max(nowMs - oldest + Math.max(0, minimum - full), 1);
  }

  /** Whether nothing is live at `nowMs`: the rate is 0 and the sampler may be dropped. */
  isIdle(nowMs: number): boolean {
    for (let i = 0; i < this.windows; i++) if (this.isLive(i, nowMs) && this.values[i] !== 0) return false;
    return true;
  }

  private total(nowMs: number): number {
    let sum = 0;
    for (let i = 0; i < this.windows; i++) if (this.isLive(i, nowMs)) sum += this.values[i];
    return sum;
  }

  private isLive(i: number, nowMs: number): boolean {
    return this.starts[i] + this.windows * this.windowMs > nowMs;
  }
}

/**
 * How long a client past its quota must wait for its rate to come back to it,
 * were it to send nothing more (ms): (rate - quota) / quota × the measured span,
 * as Kafka's QuotaUtils.throttleTime, capped at `maxMs`. 0 within the quota.
 */
export function throttleTimeMs(rate: SampledRate, quota: number, nowMs: number, maxMs: number): number {
  const observed = rate.perSecond(nowMs);
  if (observed <= quota) return 0;
  return Math.min(maxMs, Math.round(((observed - quota) / quota) * rate.elapsedMs(nowMs)));
}
