// A partition log held in memory, for tests and embedded use. It keeps the same
// contract and the same segment rules (segment-policy.ts) as the file log, so
// retention deletes the same segments; nothing survives close, and every append
// is "durable" at once.

import { batchBaseOffset, batchLastOffset, batchMaxTimestamp, batchSize } from '../protocol/record-batch.js';
import { assignOffsets, replicatedOffsets } from './assign-offsets.js';
import type { CorruptRange, CorruptSpan } from './corrupt-batch.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { type CompactResult, DEFAULT_DELETE_RETENTION_MS, LogCleaner, NOTHING_CLEANED } from './log-cleaner.js';
import type { AppendInfo, LogConfig, PartitionLog } from './partition-log.js';
import { type SegmentStats, countExpiredSegments, maxTimestampOf, segmentIndexOf, segmentsWhollyBelow, shouldRollBeforeAppend, shouldRollForRetention } from './segment-policy.js';
import { StorageError } from './storage-error.js';

const EMPTY = Buffer.alloc(0);

/** A segment: batches in offset order, each its own copy of what was appended. */
interface MemorySegment extends SegmentStats {
  nextOffset: number;
  sizeBytes: number;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  rollStartMs: number | null;
  batches: Buffer[];
  /** lastOffsets[i] is the last offset of batches[i], for binary search. */
  lastOffsets: number[];
}

function newSegment(baseOffset: number): MemorySegment {
  return { baseOffset, nextOffset: baseOffset, sizeBytes: 0, maxTimestamp: -1, offsetOfMaxTimestamp: baseOffset, rollStartMs: null, batches: [], lastOffsets: [] };
}

/** Index of the first batch in `segment` whose last offset is >= `offset` (batches.length if none). */
function batchIndexOf(segment: MemorySegment, offset: number): number {
  let lo = 0;
  let hi = segment.lastOffsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segment.lastOffsets[mid] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps `segment`'s max timestamp (and the batch holding it) up to date with `batch`. */
function noteTimestamp(segment: MemorySegment, batch: Buffer): void {
  const maxTimestamp = batchMaxTimestamp(batch);
  if (maxTimestamp > segment.maxTimestamp) {
    segment.maxTimestamp = maxTimestamp;
    segment.offsetOfMaxTimestamp = batchBaseOffset(batch);
  }
}

export class MemoryLog implements PartitionLog {
  /** Oldest first; never empty; the last one is active. */
  private segments: MemorySegment[] = [newSegment(0)];
  private _logStartOffset = 0;
  private _sizeBytes = 0;
  private closed = false;
  private readonly cleaner: LogCleaner;
  private readonly epochs = new LeaderEpochCache(null);

  constructor(private config: LogConfig) {
    this.cleaner = new LogCleaner(null, config.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS);
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  get sizeBytes(): number {
    return this._sizeBytes;
  }

  /** Number of segments, active included. */
  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): MemorySegment {
    return this.segments[this.segments.length - 1];
  }

  append(batches: Buffer, leaderEpoch: number): AppendInfo {
    if (this.closed) throw new StorageError('log is closed');
    const baseOffset = this.logEndOffset;
    this.epochs.assign(leaderEpoch, baseOffset);
    const lastOffset = assignOffsets(batches, baseOffset, leaderEpoch) - 1;
    this.write(batches, lastOffset);
    return { baseOffset, lastOffset };
  }

  appendReplicated(batches: Buffer): AppendInfo {
    if (this.closed) throw new StorageError('log is closed');
    const epochs: [number, number][] = [];
    const info = replicatedOffsets(batches, this.logEndOffset, (base, epoch) => epochs.push([epoch, base]));
    for (const [epoch, base] of epochs) this.epochs.assign(epoch, base);
    this.write(batches, info.lastOffset);
    return info;
  }

  /** Keeps a copy of batches whose offsets are set, rolling first when due. */
  private write(batches: Buffer, lastOffset: number): void {
    const now = Date.now();
    if (shouldRollBeforeAppend(this.active, batches.length, lastOffset, this.config, now)) this.roll();
    const segment = this.active;
    // One copy, so the caller may reuse its buffer.
    const copy = Buffer.from(batches);
    for (let pos = 0; pos < copy.length; ) {
      const size = batchSize(copy, pos);
      const batch = copy.subarray(pos, pos + size);
      noteTimestamp(segment, batch);
      segment.batches.push(batch);
      segment.lastOffsets.push(batchLastOffset(batch));
      pos += size;
    }
    segment.nextOffset = lastOffset + 1;
    segment.sizeBytes += copy.length;
    segment.rollStartMs ??= now;
    this._sizeBytes += copy.length;
  }

  private roll(): void {
    this.segments.push(newSegment(this.logEndOffset));
  }

  awaitDurable(offset: number): Promise<void> {
    if (offset >= this.logEndOffset) return Promise.reject(new RangeError(`offset ${offset} is not below logEndOffset ${this.logEndOffset}`));
    return Promise.resolve();
  }

  read(offset: number, maxBytes: number, maxOffset: number, minOneBatch = true): Buffer {
    const from = Math.max(offset, this._logStartOffset);
    const end = Math.min(maxOffset, this.logEndOffset);
    if (from >= end) return EMPTY;
    // One segment per read, as the file log does: the first one holding a batch at or past `from`.
    for (let s = segmentIndexOf(this.segments, from); s < this.segments.length; s++) {
      const segment = this.segments[s];
      const first = batchIndexOf(segment, from);
      if (first === segment.batches.length) continue;
      const out: Buffer[] = [];
      let bytes = 0;
      for (let i = first; i < segment.batches.length; i++) {
        const batch = segment.batches[i];
        if (batchBaseOffset(batch) >= end || ((out.length > 0 || !minOneBatch) && bytes + batch.length > maxBytes)) break;
        out.push(batch);
        bytes += batch.length;
      }
      return out.length > 0 ? Buffer.concat(out, bytes) : EMPTY;
    }
    return EMPTY;
  }


  findByTimestamp(timestamp: number): { offset: number; batch: Buffer } | null {
    for (let s = segmentIndexOf(this.segments, this._logStartOffset); s < this.segments.length; s++) {
      const segment = this.segments[s];
      if (segment.maxTimestamp < timestamp) continue;
      for (let i = batchIndexOf(segment, this._logStartOffset); i < segment.batches.length; i++) {
        const batch = segment.batches[i];
        if (batchMaxTimestamp(batch) >= timestamp) {
          return { offset: Math.max(batchBaseOffset(batch), this._logStartOffset), batch: Buffer.from(batch) };
        }
      }
    }
    return null;
  }

  /** Memory does not rot: nothing is ever corrupt here. */
  corruptRanges(): CorruptRange[] {
    return [];
  }

  corruptSpans(): CorruptSpan[] {
    return [];
  }

  scrub(): { next: null; bytes: number } {
    return { next: null, bytes: 0 };
  }

  maxTimestamp(): { timestamp: number; offset: number } | null {
    return maxTimestampOf(this.segments);
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) {
      if (offset === this.logEndOffset) this.epochs.truncateFromEnd(offset);
      return;
    }
    if (offset < this._logStartOffset) throw new RangeError(`cannot truncate to ${offset}, below logStartOffset ${this._logStartOffset}`);
    while (this.segments.length > 1 && this.active.baseOffset >= offset) this._sizeBytes -= (this.segments.pop() as MemorySegment).sizeBytes;
    const segment = this.active;
    const cut = batchIndexOf(segment, offset);
    if (cut === segment.batches.length) return;
    if (cut === 0 ? segment.baseOffset < this._logStartOffset : segment.lastOffsets[cut - 1] + 1 < this._logStartOffset) {
      // The batch holding the log start goes: nothing readable is left, so the log starts afresh at `offset`.
      return this.startAt(offset);
    }
    for (const batch of segment.batches.splice(cut)) this._sizeBytes -= batch.length;
    segment.lastOffsets.length = cut;
    segment.sizeBytes = segment.batches.reduce((n, b) => n + b.length, 0);
    segment.nextOffset = cut > 0 ? segment.lastOffsets[cut - 1] + 1 : segment.baseOffset;
    segment.maxTimestamp = -1;
    segment.offsetOfMaxTimestamp = segment.baseOffset;
    for (const batch of segment.batches) noteTimestamp(segment, batch);
    this.cleaner.forgetFrom(this.logEndOffset);
    this.epochs.truncateFromEnd(this.logEndOffset);
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  startLeaderEpoch(epoch: number): void {
    this.epochs.assign(epoch, this.logEndOffset);
  }

  startAt(offset: number): void {
    this.segments = [newSegment(offset)];
    this._sizeBytes = 0;
    this._logStartOffset = offset;
    this.cleaner.forgetFrom(0);
    this.epochs.truncateFromEnd(offset);
    this.epochs.truncateFromStart(offset);
  }

  advanceLogStart(offset: number): void {
    if (offset <= this._logStartOffset) return;
    if (offset > this.logEndOffset) throw new RangeError(`logStartOffset ${offset} would pass logEndOffset ${this.logEndOffset}`);
    this._logStartOffset = offset;
    const n = segmentsWhollyBelow(this.segments, offset);
    this.deleteOldest(n);
    this.epochs.truncateFromStart(offset);
  }

  enforceRetention(now: number): number {
    if (this.closed) return 0;
    if (shouldRollForRetention(this.active, this.config, now)) this.roll();
    const deleted = this.deleteOldest(countExpiredSegments(this.segments.slice(0, -1), this._sizeBytes, this.config, now));
    if (deleted > 0) {
      this._logStartOffset = Math.max(this._logStartOffset, this.segments[0].baseOffset);
      this.epochs.truncateFromStart(this._logStartOffset);
    }
    return deleted;
  }

  reconfigure(config: LogConfig): void {
    this.config = config;
    this.cleaner.deleteRetentionMs = config.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS;
  }

  compact(now: number): CompactResult {
    if (this.closed) return NOTHING_CLEANED;
    // Every append is durable at once, so every closed segment is cleanable.
    const views = this.segments.slice(0, -1).map((segment) => ({
      segment,
      baseOffset: segment.baseOffset,
      sizeBytes: segment.sizeBytes,
      forEachBatch: (fn: (buf: Buffer, pos: number, size: number) => void) => {
        for (const b of segment.batches) fn(b, 0, b.length);
      },
    }));
    return this.cleaner.compact(views, now, (view, batches) => {
      const segment = (view as (typeof views)[number]).segment;
      const size = batches.reduce((n, b) => n + b.length, 0);
      this._sizeBytes += size - segment.sizeBytes;
      segment.sizeBytes = size;
      segment.batches = batches;
      segment.lastOffsets = batches.map((b) => batchLastOffset(b));
    });
  }

  private deleteOldest(n: number): number {
    for (let i = 0; i < n; i++) this._sizeBytes -= this.segments[i].sizeBytes;
    if (n > 0) this.segments = this.segments.slice(n);
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async destroy(): Promise<void> {
    this.closed = true;
    this.segments = [newSegment(this.logEndOffset)];
    this._sizeBytes = 0;
  }
}
