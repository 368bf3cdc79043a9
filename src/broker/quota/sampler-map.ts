// Sampled rates by key (a quota entity's user and client id, a client
// address), made on first use. Once per window span the samplers with nothing
// live are dropped, so their number is bounded by the keys active in the last
// span, however many come and go.

import { SampledRate } from './sampled-rate.js';

export class SamplerMap {
  private readonly rates = new Map<string, SampledRate>();
  private readonly spanMs: number;
  private nextSweepMs: number;

  constructor(
    private readonly windowMs: number,
    private readonly windows: number,
    nowMs: number,
  ) {
    this.spanMs = windowMs * windows;
    this.nextSweepMs = nowMs + this.spanMs;
  }

  /** The sampler of `key`, made if there is none. */
  of(key: string, nowMs: number): SampledRate {
    this.sweep(nowMs);
    let rate = this.rates.get(key);
    if (rate === undefined) this.rates.set(key, (rate = new SampledRate(this.windowMs, this.windows, nowMs)));
    return rate;
  }

  /** The sampler of `key` if there is one. */
  find(key: string): SampledRate | undefined {
    return this.rates.get(key);
  }

  get size(): number {
    return this.rates.size;
  }

  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepMs) return;
    this.nextSweepMs = nowMs + this.spanMs;
    for (const [key, rate] of this.rates) if (rate.isIdle(nowMs)) this.rates.delete(key);
  }
}
