// The follower side of the replication throttle (Kafka's
// follower.replication.throttled.rate, set by a reassignment's --throttle):
// the bytes this broker fetches for throttled replicas, over all its
// leaders, stay within a rate, as a token bucket holding at most one second
// of it. A fetch round leaves throttled partitions out while the bucket is
// in debt; other partitions are never held back.

export class ReplicationThrottle {
  private tokens = 0;
  private lastMs = -1;

  constructor(
    /** Bytes per second; Infinity: no throttle. Read at every use, so a changed config applies at once. */
    private readonly rate: () => number,
    private readonly nowMs: () => number,
  ) {}

  /** How long throttled partitions must wait before their next fetch (ms); 0: now. */
  waitMs(): number {
    const rate = this.refill();
    return this.tokens >= 0 || !Number.isFinite(rate) ? 0 : Math.ceil((-this.tokens / rate) * 1000);
  }

  /** The most bytes one throttled partition may ask for in a fetch: a second of the rate, at least a kilobyte. */
  partitionMaxBytes(unthrottled: number): number {
    const rate = this.rate();
    return Number.isFinite(rate) ? Math.max(1024, Math.min(unthrottled, Math.floor(rate))) : unthrottled;
  }

  /** Counts bytes fetched for throttled replicas. */
  record(bytes: number): void {
    this.refill();
    if (Number.isFinite(this.rate())) this.tokens -= bytes;
  }

  private refill(): number {
    const rate = this.rate();
    const now = this.nowMs();
    if (this.lastMs >= 0 && Number.isFinite(rate)) this.tokens = Math.min(rate, this.tokens + ((now - this.lastMs) / 1000) * rate);
    this.lastMs = now;
    return rate;
  }
}
