// How often and how long clients were throttled, per quota type and per the
// user and client id their quota is shared by (Kafka's throttle-time metrics),
// for GET /metrics. Plain numbers, read when scraped. The series are bounded:
// past MAX_SERIES distinct (user, client id) pairs, new ones are counted
// together under OTHER, so a client inventing client ids cannot grow them.

import type { QuotaType } from './client-quota-manager.js';

/** Distinct (quota type, user, client id) series kept before new ones fold into OTHER. */
export const MAX_SERIES = 200;
export const OTHER = '<other>';

export interface ThrottleSeries {
  quota: QuotaType;
  user: string;
  clientId: string;
  throttles: number;
  throttleMs: number;
}

export class ThrottleStats {
  private readonly series = new Map<string, ThrottleSeries>();

  /** Counts a throttle of `ms` demanded by the `quota` shared by `user` and `clientId`. */
  throttled(quota: QuotaType, user: string, clientId: string, ms: number): void {
    let key = `${quota}\u0000${user}\u0000${clientId}`;
    let s = this.series.get(key);
    if (s === undefined && this.series.size >= MAX_SERIES) {
      key = `${quota}\u0000${OTHER}\u0000${OTHER}`;
      s = this.series.get(key);
      user = clientId = OTHER;
    }
    if (s === undefined) this.series.set(key, (s = { quota, user, clientId, throttles: 0, throttleMs: 0 }));
    s.throttles++;
    s.throttleMs += ms;
  }

  all(): Iterable<ThrottleSeries> {
    return this.series.values();
  }
}
