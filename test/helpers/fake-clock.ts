// A Clock (src/clock.ts) whose time moves only when the test says:
// advance(ms) fires, in time order, every timer due by then, so timeouts are
// tested without waiting.

import type { Clock, Timer } from '../../src/clock.js';

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private time = 1_700_000_000_000;
  private seq = 0;
  private timers: Scheduled[] = [];

  now(): number {
    return this.time;
  }

  schedule(ms: number, fn: () => void): Timer {
    const timer: Scheduled = { at: this.time + ms, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Moves time forward by `ms`, firing each timer due on the way at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= end).sort((x, y) => x.at - y.at || x.seq - y.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  /** Timers scheduled and neither fired nor cancelled. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
