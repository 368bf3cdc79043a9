// The last hour of the broker's traffic, for the console's charts
// (GET /stats/history): every intervalMs a point with the records and bytes
// per second that came in and went out since the previous point, and the
// total consumer group lag at that moment. Points sit in a fixed ring, so the
// hour costs the same memory however long the broker runs:
//
//   points: [ p(k) p(k+1) ... p(k+n-1) ]   oldest at `oldest`, n <= capacity,
//           written at (oldest + n) % capacity, overwriting the oldest when full
//
// The clock is injected: the broker's unrefs its timers (a sampler never keeps
// the process alive), tests drive a fake one.

import type { Clock, Timer } from '../clock.js';
import type { PartitionTraffic } from './partition-traffic.js';

export interface StatsPoint {
  /** When the point was taken (ms since the epoch). */
  t: number;
  recordsInPerSec: number;
  recordsOutPerSec: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** Offsets from the commit to the high watermark, summed over every consumer group and partition. */
  groupLag: number;
}

export interface StatsSources {
  /** The broker's traffic totals since it started. */
  traffic(): PartitionTraffic;
  /** Total consumer group lag in offsets now. */
  groupLag(): number;
}

/** One point every 10 s, 360 of them: the last hour. */
export const STATS_INTERVAL_MS = 10_000;
export const STATS_CAPACITY = 360;

export class StatsHistory {
  private readonly ring: StatsPoint[] = [];
  private oldest = 0;
  private last: { at: number; traffic: PartitionTraffic } | null = null;
  private timer: Timer | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly sources: StatsSources,
    readonly intervalMs = STATS_INTERVAL_MS,
    readonly capacity = STATS_CAPACITY,
  ) {}

  /** Takes the baseline the first point's rates are counted from, and samples every intervalMs after it. */
  start(): void {
    if (this.timer) return;
    this.last = { at: this.clock.now(), traffic: { ...this.sources.traffic() } };
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** The points, oldest first. */
  points(): StatsPoint[] {
    return Array.from({ length: this.ring.length }, (_, i) => this.ring[(this.oldest + i) % this.capacity]);
  }

  private schedule(): void {
    this.timer = this.clock.schedule(this.intervalMs, () => {
      this.sample();
      this.schedule();
    });
  }

  private sample(): void {
    const at = this.clock.now();
    const traffic = { ...this.sources.traffic() };
    const prev = this.last as { at: number; traffic: PartitionTraffic };
    // Over the time that really passed (a timer can fire late); a deleted topic takes its counts along, so never below 0.
    const seconds = Math.max(at - prev.at, 1) / 1000;
    const rate = (field: keyof PartitionTraffic) => Math.max(0, traffic[field] - prev.traffic[field]) / seconds;
    this.push({
      t: at,
      recordsInPerSec: rate('recordsIn'),
      recordsOutPerSec: rate('recordsOut'),
      bytesInPerSec: rate('bytesIn'),
      bytesOutPerSec: rate('bytesOut'),
      groupLag: this.sources.groupLag(),
    });
    this.last = { at, traffic };
  }

  private push(point: StatsPoint): void {
    if (this.ring.length < this.capacity) this.ring.push(point);
    else {
      this.ring[this.oldest] = point;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
  }
}
