// Connection creation rates (KIP-612), measured like client quotas over
// quota.window.num samples of quota.window.size.seconds: the broker's
// (maxConnectionCreationRate, Kafka's max.connection.creation.rate) and each
// client address's (the connection_creation_rate quota of its ip entity, else
// of the default ip). Every attempt counts, refused ones too, as Kafka records
// them: a client that keeps reconnecting stays refused until it slows down.
// Kafka delays accepting past the broker's rate and closes a connection past
// its address's after a throttle time; Sluice closes both at once.

import type { Clock } from '../../clock.js';
import type { ClientQuotas } from './client-quotas.js';
import type { QuotaWindows } from './client-quota-manager.js';
import { SampledRate } from './sampled-rate.js';
import { SamplerMap } from './sampler-map.js';

export class ConnectionCreationRates {
  private readonly perIp: SamplerMap;
  private readonly broker: SampledRate;

  constructor(
    private readonly quotas: ClientQuotas,
    windows: QuotaWindows,
    /** New connections per second over the whole broker. */
    private readonly brokerLimit: number,
    private readonly clock: Clock,
  ) {
    const windowMs = windows.quotaWindowSizeSeconds * 1000;
    this.perIp = new SamplerMap(windowMs, windows.quotaWindowNum, clock.now());
    this.broker = new SampledRate(windowMs, windows.quotaWindowNum, clock.now());
  }

  /** Counts a new connection from `ip`; returns the name of the rate it passes, or null when it may be served. */
  admit(ip: string): string | null {
    const now = this.clock.now();
    this.broker.record(1, now);
    if (this.broker.perSecond(now) > this.brokerLimit) return 'max.connection.creation.rate';
    const quota = this.quotas.resolveIp(ip);
    if (quota === null) return null;
    const rate = this.perIp.of(ip, now);
    rate.record(1, now);
    return rate.perSecond(now) > quota ? 'connection_creation_rate' : null;
  }
}
