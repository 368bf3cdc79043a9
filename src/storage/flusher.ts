// When appended data reaches the disk, per LogConfig.flushPolicy:
//
//   group-commit  awaitDurable(o) resolves after a round of fdatasync that
//                 started after o was written. One round in flight per log;
//                 appends made while it runs wait for the next round, which
//                 starts as soon as it ends, so N producers share each fdatasync.
//   interval      a round every flushIntervalMs; awaitDurable resolves at once.
//   os            no round until close; awaitDurable resolves at once.
//
// A round fdatasyncs every segment written since the previous round started
// (a roll can leave data in two). It uses the async fs.fdatasync, so the event
// loop keeps serving while the disk works. A failed fdatasync is final: Linux
// may have dropped the dirty pages, so a later success would prove nothing.
// Pending and later awaitDurable calls reject and the log refuses appends.

import diagnostics_channel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { FlushPolicy } from './partition-log.js';
import { StorageError } from './storage-error.js';

/** A file that can be made durable (a segment). */
export interface SyncTarget {
  sync(): Promise<void>;
}

/** Counters for tests and metrics. */
export interface FlushStats {
  /** Completed rounds. */
  rounds: number;
  /** Completed fdatasync calls, one per segment per round. */
  fdatasyncs: number;
}

/** Published after each round: `{ log, files, coveredOffset, durationMs }`. */
export const flushChannel = diagnostics_channel.channel('sluice:storage:flush');

interface Waiter {
  offset: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Flusher {
  readonly stats: FlushStats = { rounds: 0, fdatasyncs: 0 };
  private readonly dirty = new Set<SyncTarget>();
  /** Last offset written so far. */
  private appendedOffset: number;
  /** Last offset covered by a completed round (or present at open). */
  private durableOffset: number;
  private waiters: Waiter[] = [];
  private inFlight: Promise<void> | null = null;
  /** Highest offset the round in flight may declare durable: lowered when the log is truncated under it. */
  private roundCeiling = Infinity;
  private timer: NodeJS.Timeout | null = null;
  private failure: StorageError | null = null;

  /**
   * @param lastOffset last offset already in the log when it opened, taken as durable
   * @param name identifies the log in published events (its directory)
   */
  constructor(
    private policy: FlushPolicy,
    intervalMs: number,
    lastOffset: number,
    private readonly name: string,
  ) {
    this.appendedOffset = lastOffset;
    this.durableOffset = lastOffset;
    this.startTimer(intervalMs);
  }

  private startTimer(intervalMs: number): void {
    if (this.policy !== 'interval') return;
    this.timer = setInterval(() => {
      if (this.inFlight === null && this.failure === null && this.dirty.size > 0) this.startRound();
    }, intervalMs);
    this.timer.unref();
  }

  /**
   * Switches policy at run time. Leaving group-commit releases the appends
   * waiting for a round (the new policy does not make acks wait); entering it
   * starts a round at once, so durableThrough catches up with what was written
   * under the old policy.
   */
  setPolicy(policy: FlushPolicy, intervalMs: number): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const was = this.policy;
    this.policy = policy;
    this.startTimer(intervalMs);
    if (policy === was || this.failure !== null) return;
    if (was === 'group-commit') {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve();
    } else if (policy === 'group-commit' && this.inFlight === null && this.dirty.size > 0) {
      this.startRound();
    }
  }

  /** The failed fdatasync that stopped this log, if any. */
  get error(): StorageError | null {
    return this.failure;
  }

  /** Last offset known durable under the policy: everything appended, unless fsyncs are group-committed. */
  get durableThrough(): number {
    return this.policy === 'group-commit' ? this.durableOffset : this.appendedOffset;
  }

  /** Records that `target` now holds data up to `lastOffset`. */
  noteAppended(target: SyncTarget, lastOffset: number): void {
    this.dirty.add(target);
    this.appendedOffset = lastOffset;
  }

  awaitDurable(offset: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.policy !== 'group-commit' || offset <= this.durableOffset) return Promise.resolve();
    if (offset > this.appendedOffset) return Promise.reject(new RangeError(`offset ${offset} has not been appended`));
    return new Promise((resolve, reject) => {
      this.waiters.push({ offset, resolve, reject });
      if (this.inFlight === null) this.startRound();
    });
  }

  /**
   * The log was cut after `lastOffset` (-1: emptied). Appends awaiting removed
   * offsets are rejected; a round in flight declares nothing past the cut
   * durable, so offsets appended again after it wait for a round of their own.
   */
  truncate(lastOffset: number): void {
    this.appendedOffset = Math.min(this.appendedOffset, lastOffset);
    this.durableOffset = Math.min(this.durableOffset, lastOffset);
    this.roundCeiling = Math.min(this.roundCeiling, lastOffset);
    const removed = this.waiters.filter((w) => w.offset > lastOffset);
    this.waiters = this.waiters.filter((w) => w.offset <= lastOffset);
    const err = new StorageError(`offsets past ${lastOffset} of ${this.name} were truncated before they became durable`);
    for (const w of removed) w.reject(err);
  }

  private startRound(): void {
    const coveredOffset = this.appendedOffset;
    this.roundCeiling = Infinity;
    const targets = [...this.dirty];
    this.dirty.clear();
    const started = performance.now();
    this.inFlight = Promise.all(targets.map((t) => t.sync()))
      .then(
        () => this.finishRound(coveredOffset, targets.length, started),
        (err: unknown) => this.fail(err),
      )
      .finally(() => {
        this.inFlight = null;
        // Waiters left are for appends made during the round: they need the next one.
        if (this.failure === null && this.waiters.length > 0) this.startRound();
      });
  }

  private finishRound(roundEnd: number, files: number, started: number): void {
    const coveredOffset = Math.min(roundEnd, this.roundCeiling);
    this.stats.rounds++;
    this.stats.fdatasyncs += files;
    if (coveredOffset > this.durableOffset) this.durableOffset = coveredOffset;
    const ready = this.waiters.filter((w) => w.offset <= coveredOffset);
    this.waiters = this.waiters.filter((w) => w.offset > coveredOffset);
    for (const w of ready) w.resolve();
    if (flushChannel.hasSubscribers) {
      flushChannel.publish({ log: this.name, files, coveredOffset, durationMs: performance.now() - started });
    }
  }

  private fail(cause: unknown): void {
    this.failure = new StorageError(`fdatasync failed in ${this.name}`, { cause });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(this.failure);
  }

  /** Stops the interval timer and makes everything written so far durable. Rejects if an fdatasync failed. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    while (this.inFlight !== null) await this.inFlight;
    if (this.failure === null && this.dirty.size > 0) {
      this.startRound();
      while (this.inFlight !== null) await this.inFlight;
    }
    if (this.failure !== null) throw this.failure;
  }
}
