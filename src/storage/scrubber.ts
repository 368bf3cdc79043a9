// The background scrubber: re-checks the CRC32C of every closed segment of
// every partition, round after round, at a bounded rate, so that a batch that
// rots on disk is found (and recorded, logged and counted like one a fetch
// finds, see corrupt-batch.ts) even if nobody reads it. The active segment is
// left out: start-up checks it and every read checks what it serves.
//
// Every tickMs it checks bytesPerSec * tickMs / 1000 bytes in small synchronous
// steps (page-sized reads plus native CRC32C: about a millisecond per MiB). At the
// default 16 MiB/s a tick of 10 ms checks 160 KiB, a fraction of a millisecond, so
// the event loop is never held long enough to show in a produce's latency (ticks
// of 100 ms, 1.6 MiB each, held it over a millisecond). One pass walks the logs as they were when
// it began; a log closed meanwhile (topic deleted) has nothing left to scrub.

import type { PartitionLog, ScrubCursor } from './partition-log.js';

/** The one timer the scrubber needs; the coordinators' Clock fits, and so does a fake one in tests. */
export interface ScrubClock {
  schedule(ms: number, fn: () => void): { cancel(): void };
}

export interface ScrubberOptions {
  /** Bytes checked per second across all partitions; 0 turns the scrubber off. */
  bytesPerSec: number;
  /** Period of the scrub steps (ms). Default 10. */
  tickMs?: number;
}

export class Scrubber {
  private readonly tickMs: number;
  private readonly bytesPerTick: number;
  private pass: PartitionLog[] = [];
  private cursor: ScrubCursor | null = null;
  private timer: { cancel(): void } | null = null;
  /** Bytes this tick may still check; negative after a batch larger than a tick's share, which later ticks pay back. */
  private credit = 0;
  /** Bytes checked since start, for tests and metrics. */
  bytesChecked = 0;
  /** Passes over every log completed since start. */
  passesCompleted = 0;

  constructor(
    private readonly logs: () => PartitionLog[],
    private readonly clock: ScrubClock,
    options: ScrubberOptions,
  ) {
    this.tickMs = options.tickMs ?? 10;
    this.bytesPerTick = Math.max(1, Math.floor((options.bytesPerSec * this.tickMs) / 1000));
  }

  start(): void {
    if (this.timer === null) this.timer = this.clock.schedule(this.tickMs, () => this.tick());
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Checks one tick's worth of bytes, then schedules the next tick. */
  private tick(): void {
    // Unused credit does not pile up: an idle spell is not followed by a burst.
    this.credit = Math.min(this.credit + this.bytesPerTick, this.bytesPerTick);
    let started = false;
    while (this.credit > 0) {
      if (this.pass.length === 0) {
        // A new pass starts at most once per tick, so an idle broker with nothing to scrub does not spin.
        if (started) break;
        this.pass = this.logs();
        started = true;
        if (this.pass.length === 0) break;
      }
      const step = this.pass[0].scrub(this.cursor, this.credit);
      this.credit -= step.bytes;
      this.bytesChecked += step.bytes;
      this.cursor = step.next;
      if (step.next === null) {
        this.pass.shift();
        if (this.pass.length === 0) this.passesCompleted++;
      }
    }
    this.timer = this.clock.schedule(this.tickMs, () => this.tick());
  }
}
