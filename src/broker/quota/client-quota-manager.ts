// Enforcement of client quotas (KIP-13, KIP-124, KIP-219): what a client sent
// (Produce request bytes), was sent (Fetch response bytes) or cost (request
// time) is recorded in a SampledRate shared by every client the same quota
// entity covers (Kafka's sensors, keyed by the entity's user and client-id
// parts), and the throttle time that brings the rate back to the quota is
// returned. The caller answers at once with that throttle time and then
// reads nothing more from the connection for it.

import type { Clock } from '../../clock.js';
import type { ClientQuotas, QuotaKey } from './client-quotas.js';
import { throttleTimeMs } from './sampled-rate.js';
import { SamplerMap } from './sampler-map.js';
import { ThrottleStats } from './throttle-stats.js';

/** What is measured: each has its own quota key and samplers. */
export type QuotaType = 'produce' | 'fetch' | 'request';

const KEY_OF: Record<QuotaType, QuotaKey> = { produce: 'producer_byte_rate', fetch: 'consumer_byte_rate', request: 'request_percentage' };

export interface QuotaWindows {
  quotaWindowNum: number;
  quotaWindowSizeSeconds: number;
}

export class ClientQuotaManager {
  private readonly samplers: Record<QuotaType, SamplerMap>;
  private readonly spanMs: number;
  /** Throttles demanded, for metrics. */
  readonly stats = new ThrottleStats();

  constructor(
    readonly quotas: ClientQuotas,
    private readonly windows: QuotaWindows,
    /** Time of the samples, and the timers that end a connection's throttle. */
    readonly clock: Clock,
  ) {
    const windowMs = windows.quotaWindowSizeSeconds * 1000;
    this.spanMs = windowMs * windows.quotaWindowNum;
    const samplers = () => new SamplerMap(windowMs, windows.quotaWindowNum, clock.now());
    this.samplers = { produce: samplers(), fetch: samplers(), request: samplers() };
  }

  /**
   * Records `value` for the client and returns how long it is to be throttled
   * (ms; 0 within its quota or without one). The value counts even when over the
   * quota: the bytes were produced (Kafka records them too).
   */
  record(type: QuotaType, user: string, clientId: string, value: number): number {
    const quota = this.quotas.resolve(KEY_OF[type], user, clientId);
    if (quota === null) return 0;
    const now = this.clock.now();
    const rate = this.samplers[type].of(samplerKey(quota.user, quota.clientId), now);
    rate.record(value, now);
    const throttleMs = throttleTimeMs(rate, quota.value, now, this.spanMs);
    if (throttleMs > 0) this.stats.throttled(type, quota.user, quota.clientId, throttleMs);
    return throttleMs;
  }

  /** Takes back what `record` counted: a throttled Fetch is answered empty (Kafka's unrecordQuotaSensor). */
  unrecord(type: QuotaType, user: string, clientId: string, value: number): void {
    const quota = this.quotas.resolve(KEY_OF[type], user, clientId);
    if (quota === null) return;
    this.samplers[type].find(samplerKey(quota.user, quota.clientId))?.unrecord(value, this.clock.now());
  }

  /**
   * The most a client may take in one quota window span short of one window
   * (quota × (n-1) windows): a Fetch's max_bytes is capped to it, so a single
   * answer cannot take more than the rate allows (Kafka's getMaxValueInQuotaWindow).
   */
  maxValueInWindow(type: QuotaType, user: string, clientId: string): number {
    const quota = this.quotas.resolve(KEY_OF[type], user, clientId);
    if (quota === null) return Number.POSITIVE_INFINITY;
    return quota.value * (this.windows.quotaWindowNum - 1) * this.windows.quotaWindowSizeSeconds;
  }
}

const samplerKey = (user: string, clientId: string) => `${user}\u0000${clientId}`;
