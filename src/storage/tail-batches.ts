// Where the batches after the active segment's last offset-index entry lie.
// A read finds its first batch by stepping batch header by batch header from
// the index entry before it: up to indexIntervalBytes of small batches, a pread
// each. Consumers at the tail read exactly there, on every fetch (with 100-byte
// records, about twenty preads a fetch took two fifths of the fetch path's
// time). The headers of those batches are known when they are appended, so the
// segment keeps them here: the batch that got the last index entry and every
// one after it, in parallel typed arrays (no object per batch), at most one
// index interval's worth. Closed segments drop theirs.

import type { BatchInfo } from './batch-scan.js';

const INITIAL_CAPACITY = 8;

export class TailBatches {
  private positions = new Float64Array(INITIAL_CAPACITY);
  private sizes = new Int32Array(INITIAL_CAPACITY);
  private baseOffsets = new Float64Array(INITIAL_CAPACITY);
  private lastOffsets = new Float64Array(INITIAL_CAPACITY);
  private maxTimestamps = new Float64Array(INITIAL_CAPACITY);
  private count = 0;

  /** Starts again from `batch` (it got an index entry, or a replay starts at it). */
  restartAt(batch: BatchInfo): void {
    this.count = 0;
    this.push(batch);
  }

  /** The next batch of the segment, in file order. */
  push(batch: BatchInfo): void {
    if (this.count === this.positions.length) this.grow();
    const i = this.count++;
    this.positions[i] = batch.position;
    this.sizes[i] = batch.size;
    this.baseOffsets[i] = batch.baseOffset;
    this.lastOffsets[i] = batch.lastOffset;
    this.maxTimestamps[i] = batch.maxTimestamp;
  }

  /** Forgets every batch (the segment closed, or its tracking starts over). */
  clear(): void {
    this.count = 0;
    if (this.positions.length > INITIAL_CAPACITY) this.allocate(INITIAL_CAPACITY);
  }

  /** Drops batches at or past `position` (the file was cut there). */
  truncateToPosition(position: number): void {
    while (this.count > 0 && this.positions[this.count - 1] >= position) this.count--;
  }

  /** Whether `offset` is at or past the first batch kept: `locate` then answers without reading the file. */
  covers(offset: number): boolean {
    return this.count > 0 && offset >= this.baseOffsets[0];
  }

  /** The first kept batch whose last offset is >= `offset`; null when `offset` is past them all. */
  locate(offset: number): BatchInfo | null {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lastOffsets[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.count) return null;
    return { position: this.positions[lo], size: this.sizes[lo], baseOffset: this.baseOffsets[lo], lastOffset: this.lastOffsets[lo], maxTimestamp: this.maxTimestamps[lo] };
  }

  private grow(): void {
    const old = { positions: this.positions, sizes: this.sizes, baseOffsets: this.baseOffsets, lastOffsets: this.lastOffsets, maxTimestamps: this.maxTimestamps };
    this.allocate(this.positions.length * 2);
    this.positions.set(old.positions);
    this.sizes.set(old.sizes);
    this.baseOffsets.set(old.baseOffsets);
    this.lastOffsets.set(old.lastOffsets);
    this.maxTimestamps.set(old.maxTimestamps);
  }

  private allocate(capacity: number): void {
    this.positions = new Float64Array(capacity);
    this.sizes = new Int32Array(capacity);
    this.baseOffsets = new Float64Array(capacity);
    this.lastOffsets = new Float64Array(capacity);
    this.maxTimestamps = new Float64Array(capacity);
  }
}
