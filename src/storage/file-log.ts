// The on-disk partition log: a directory of segments (see segment.ts), oldest
// first, the last one active (appended to).
//
//   <dir>/00000000000000000000.log .index .timeindex   closed segment
//   <dir>/00000000000000004096.log .index .timeindex   active segment
//   <dir>/log-start-offset                            DeleteRecords checkpoint
//   <dir>/cleaner-checkpoint                          compaction state (log-cleaner.ts)
//   <dir>/leader-epoch-checkpoint                     where each leader epoch starts (leader-epoch-cache.ts)
//   <dir>/<base>.log.cleaned, .log.swap               only during a compaction swap (segment-swap.ts)
//   <dir>/.clean-shutdown                             only while closed cleanly
//
// Appends are synchronous: one positioned write at the end of the active
// segment, so offsets are assigned and written without interleaving, and a
// read right after sees the data (page cache). Durability is the flusher's
// business (flusher.ts). Reads are synchronous preads, served by the page cache.

import fs from 'node:fs';
import path from 'node:path';
import { batchBaseOffset } from '../protocol/record-batch.js';
import { assignOffsets, replicatedOffsets } from './assign-offsets.js';
import { readLogStartOffset, writeLogStartOffset } from './checkpoint-file.js';
import { type BrokerRuns, PROCESS_RUNS, closedCleanly, writeCleanShutdownMarker } from './clean-shutdown.js';
import { CorruptBatchError, type CorruptBatchListener, type CorruptRange, type CorruptSpan, firstCorruptBatch } from './corrupt-batch.js';
import { type FlushStats, Flusher } from './flusher.js';
import { LEADER_EPOCH_CHECKPOINT_FILE, LeaderEpochCache } from './leader-epoch-cache.js';
import { epochsInSegments } from './epoch-scan.js';
import { type CompactResult, CLEANER_CHECKPOINT_FILE, DEFAULT_DELETE_RETENTION_MS, LogCleaner, NOTHING_CLEANED } from './log-cleaner.js';
import { cutSegment, loadSegments, recoverSegment } from './log-recovery.js';
import type { AppendInfo, LogConfig, PartitionLog, ScrubCursor } from './partition-log.js';
import { Segment } from './segment.js';
import { countExpiredSegments, maxTimestampOf, segmentIndexOf, segmentsWhollyBelow, shouldRollBeforeAppend, shouldRollForRetention } from './segment-policy.js';
import { forEachStoredBatch, swapCleanedFile, writeCleanedFile } from './segment-swap.js';
import { StorageError } from './storage-error.js';
import { type StorageLogger, silentStorageLogger } from './storage-logger.js';

const EMPTY = Buffer.alloc(0);

export class FileLog implements PartitionLog {
  private _logStartOffset: number;
  private _sizeBytes: number;
  /** Set when the log can no longer append (failed fdatasync, unrecoverable write, closed). */
  private failure: StorageError | null = null;
  private closed = false;
  private readonly flusher: Flusher;
  /** fdatasyncs of rolled segments' index files, awaited by close before it declares a clean shutdown. */
  private readonly indexWrites = new Set<Promise<void>>();
  private readonly cleaner: LogCleaner;
  private readonly epochs: LeaderEpochCache;
  /** The segment the last scrub step read, so a cursor into a since rewritten one is not followed. */
  private lastScrubbed: Segment | null = null;

  private constructor(
    readonly dir: string,
    private config: LogConfig,
    private readonly logger: StorageLogger,
    /** Oldest first; never empty; the last one is active. */
    private segments: Segment[],
    logStartOffset: number,
    private readonly onCorruptBatch: CorruptBatchListener,
    private readonly runs: BrokerRuns,
  ) {
    this._logStartOffset = logStartOffset;
    this._sizeBytes = segments.reduce((sum, s) => sum + s.sizeBytes, 0);
    this.flusher = new Flusher(config.flushPolicy, config.flushIntervalMs, this.logEndOffset - 1, dir);
    this.cleaner = new LogCleaner(path.join(dir, CLEANER_CHECKPOINT_FILE), config.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS);
    this.epochs = new LeaderEpochCache(path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE));
    // A log written before the checkpoint existed: its epochs are in its batch headers.
    if (this.epochs.all.length === 0 && this.logEndOffset > logStartOffset) this.seedEpochs(segments);
    // Recovery may have cut the tail, and a crash may have come between a log start checkpoint and its segments' deletion.
    // An epoch starting at the log end stays: a leader records its epoch before its first append (startLeaderEpoch).
    this.epochs.truncateFromEnd(this.logEndOffset + 1);
    this.epochs.truncateFromStart(logStartOffset);
  }

  /**
   * Opens the partition log in `dir`, creating the directory if needed. The
   * active segment is checked batch by batch: a torn tail is cut, a corrupt
   * batch is kept and reported (see log-recovery.ts).
   */
  static async open(
    dir: string,
    config: LogConfig,
    logger: StorageLogger = silentStorageLogger,
    onCorruptBatch: CorruptBatchListener = () => {},
    /** The broker's runs, which say whether the log was closed cleanly (clean-shutdown.ts). */
    runs: BrokerRuns = PROCESS_RUNS,
  ): Promise<FileLog> {
    fs.mkdirSync(dir, { recursive: true });
    const cleanShutdown = closedCleanly(dir, runs);
    const segments = await loadSegments(dir, { indexIntervalBytes: config.indexIntervalBytes, cleanShutdown, logger, now: Date.now() });
    if (!cleanShutdown) {
      // What survived the crash may still be only in the page cache (the process died, not the machine).
      await Promise.all(segments.map((s) => s.sync()));
    }
    const active = segments[segments.length - 1];
    const checkpointed = readLogStartOffset(dir) ?? 0;
    const logStartOffset = Math.min(Math.max(segments[0].baseOffset, checkpointed), active.nextOffset);
    const log = new FileLog(dir, config, logger, segments, logStartOffset, onCorruptBatch, runs);
    // Recovery logged these with their segment; the listener counts them.
    for (const range of log.corruptRanges()) onCorruptBatch(range);
    // A crash between writing the checkpoint and deleting segments leaves some wholly below it.
    log.deleteSegmentsBelow(logStartOffset);
    return log;
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

  /** fdatasync counters, for tests and metrics. */
  get flushStats(): Readonly<FlushStats> {
    return this.flusher.stats;
  }

  /** Number of segments, active included. */
  get segmentCount(): number {
    return this.segments.length;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  append(batches: Buffer, leaderEpoch: number): AppendInfo {
    const failure = this.failure ?? this.flusher.error;
    if (failure !== null) throw failure;
    const baseOffset = this.logEndOffset;
    this.assignEpoch(leaderEpoch, baseOffset);
    const lastOffset = assignOffsets(batches, baseOffset, leaderEpoch) - 1;
    this.write(batches, lastOffset);
    return { baseOffset, lastOffset };
  }

  appendReplicated(batches: Buffer): AppendInfo {
    const failure = this.failure ?? this.flusher.error;
    if (failure !== null) throw failure;
    const epochs: [number, number][] = [];
    const info = replicatedOffsets(batches, this.logEndOffset, (base, epoch) => epochs.push([epoch, base]));
    for (const [epoch, base] of epochs) this.assignEpoch(epoch, base);
    this.write(batches, info.lastOffset);
    return info;
  }

  /**
   * Fills the leader-epoch cache from the batch headers, once: without it an
   * old log answers OffsetForLeaderEpoch UNDEFINED, which makes librdkafka
   * reset its consumers' positions. A checkpoint that cannot be written now
   * (a full disk) is kept in memory and written with the next epoch change.
   */
  private seedEpochs(segments: Segment[]): void {
    const found = epochsInSegments(segments);
    try {
      this.epochs.seed(found);
    } catch (err) {
      this.logger.warn({ err, dir: this.dir }, 'could not write the leader-epoch checkpoint found in the batch headers; it is kept in memory');
    }
  }

  private assignEpoch(epoch: number, startOffset: number): void {
    try {
      this.epochs.assign(epoch, startOffset);
    } catch (err) {
      throw new StorageError(`could not checkpoint leader epoch ${epoch} in ${this.dir}`, { cause: err });
    }
  }

  /** Writes batches whose offsets are set, rolling first when due. */
  private write(batches: Buffer, lastOffset: number): void {
    const now = Date.now();
    if (shouldRollBeforeAppend(this.active, batches.length, lastOffset, this.config, now)) this.roll();
    const active = this.active;
    try {
      active.append(batches, now);
    } catch (err) {
      if (active.broken) this.failure = err as StorageError;
      throw err;
    }
    this._sizeBytes += batches.length;
    this.flusher.noteAppended(active, lastOffset);
  }

  awaitDurable(offset: number): Promise<void> {
    if (offset >= this.logEndOffset) return Promise.reject(new RangeError(`offset ${offset} is not below logEndOffset ${this.logEndOffset}`));
    return this.flusher.awaitDurable(offset);
  }

  read(offset: number, maxBytes: number, maxOffset: number, minOneBatch = true, allocate?: (size: number) => Buffer): Buffer {
    const from = Math.max(offset, this._logStartOffset);
    const end = Math.min(maxOffset, this.logEndOffset);
    if (from >= end) return EMPTY;
    // Like Kafka, one read serves from one segment; the next fetch continues in the following one.
    for (let i = segmentIndexOf(this.segments, from); i < this.segments.length; i++) {
      const data = this.segments[i].read(from, maxBytes, end, minOneBatch, allocate);
      if (data !== null) return this.verified(this.segments[i], data);
    }
    return EMPTY;
  }

  /**
   * Checks the CRC32C of every batch read from disk before it is served, since
   * a disk can rot what recovery once checked. The first corrupt batch is
   * recorded (later reads stop before it without checking) and reported; what
   * precedes it is returned, and a read starting at it throws CorruptBatchError.
   */
  private verified(segment: Segment, data: Buffer): Buffer {
    const bad = firstCorruptBatch(data);
    if (bad < 0) return data;
    const range = segment.markCorruptAt(batchBaseOffset(data, bad));
    this.reportCorrupt(segment, range);
    if (bad === 0) throw new CorruptBatchError(this.dir, range);
    return data.subarray(0, bad);
  }

  private reportCorrupt(segment: Segment, range: CorruptRange): void {
    this.logger.error({ segment: segment.logPath, ...range }, 'record batch fails its CRC32C check: kept on disk, never served');
    this.onCorruptBatch(range);
  }

  scrub(cursor: ScrubCursor | null, maxBytes: number): { next: ScrubCursor | null; bytes: number } {
    const closedSegments = this.closed ? [] : this.segments.slice(0, -1);
    const segment = closedSegments.find((s) => s.baseOffset >= (cursor?.segmentBase ?? 0));
    if (segment === undefined) return { next: null, bytes: 0 };
    // A cursor into a segment compaction has since rewritten starts it over: its positions are another file's.
    const from = cursor !== null && segment === this.lastScrubbed && segment.baseOffset === cursor.segmentBase ? cursor.position : 0;
    this.lastScrubbed = segment;
    const step = segment.scrub(from, maxBytes);
    for (const range of step.found) this.reportCorrupt(segment, range);
    if (step.problem !== null) this.logger.warn({ segment: segment.logPath, position: step.next, reason: step.problem }, 'scrub cannot frame the rest of this closed segment');
    const following = closedSegments[closedSegments.indexOf(segment) + 1];
    const next = step.next < segment.sizeBytes ? { segmentBase: segment.baseOffset, position: step.next } : following ? { segmentBase: following.baseOffset, position: 0 } : null;
    return { next, bytes: step.next - from };
  }


  corruptRanges(): CorruptRange[] {
    return this.segments.flatMap((s) => s.corruptRanges());
  }

  corruptSpans(): CorruptSpan[] {
    return this.segments.flatMap((s) => s.corruptSpans());
  }

  findByTimestamp(timestamp: number): { offset: number; batch: Buffer } | null {
    for (let i = segmentIndexOf(this.segments, this._logStartOffset); i < this.segments.length; i++) {
      const segment = this.segments[i];
      const found = segment.findByTimestamp(timestamp, this._logStartOffset);
      if (found === null) continue;
      const batch = segment.readBatch(found);
      if (firstCorruptBatch(batch) === 0) {
        // Recorded now, it no longer matches any timestamp: look again.
        this.reportCorrupt(segment, segment.markCorruptAt(found.baseOffset));
        return this.findByTimestamp(timestamp);
      }
      return { offset: Math.max(found.baseOffset, this._logStartOffset), batch };
    }
    return null;
  }

  maxTimestamp(): { timestamp: number; offset: number } | null {
    return maxTimestampOf(this.segments);
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  startLeaderEpoch(epoch: number): void {
    this.assignEpoch(epoch, this.logEndOffset);
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) {
      if (offset === this.logEndOffset) this.epochs.truncateFromEnd(offset);
      return;
    }
    if (offset < this._logStartOffset) throw new RangeError(`cannot truncate to ${offset}, below logStartOffset ${this._logStartOffset}`);
    const failure = this.failure ?? this.flusher.error;
    if (failure !== null) throw failure;
    // Segments starting at or past the cut go whole; the first one stays, possibly emptied.
    let keep = this.segments.length;
    while (keep > 1 && this.segments[keep - 1].baseOffset >= offset) keep--;
    for (const segment of this.segments.slice(keep)) this.removeSegment(segment);
    this.segments = this.segments.slice(0, keep);
    const last = this.active;
    const batch = last.locate(offset);
    if (batch !== null && batch.baseOffset < this._logStartOffset) return this.startAfresh(offset);
    if (batch !== null) {
      const before = last.sizeBytes;
      try {
        cutSegment(last, batch.position);
      } catch (err) {
        this.failure = new StorageError(`could not truncate ${last.logPath}`, { cause: err });
        throw this.failure;
      }
      this._sizeBytes -= before - last.sizeBytes;
      // The cut file is written again from here: a new round must sync it.
      this.flusher.noteAppended(last, this.logEndOffset - 1);
    }
    this.flusher.truncate(this.logEndOffset - 1);
    this.cleaner.forgetFrom(this.logEndOffset);
    this.epochs.truncateFromEnd(this.logEndOffset);
    this.lastScrubbed = null;
  }

  startAt(offset: number): void {
    const failure = this.failure ?? this.flusher.error;
    if (failure !== null) throw failure;
    this.startAfresh(offset);
  }

  /** Replaces every segment with an empty one at `offset`, which becomes the log start (truncation took the batch holding it, or startAt). */
  private startAfresh(offset: number): void {
    let segment: Segment;
    try {
      writeLogStartOffset(this.dir, offset);
      segment = Segment.create(this.dir, offset, this.config.indexIntervalBytes);
    } catch (err) {
      this.failure = new StorageError(`could not start ${this.dir} afresh at offset ${offset}`, { cause: err });
      throw this.failure;
    }
    for (const old of this.segments) this.removeSegment(old);
    this.segments = [segment];
    this._logStartOffset = offset;
    this.flusher.truncate(offset - 1);
    this.cleaner.forgetFrom(0);
    this.epochs.truncateFromEnd(offset);
    this.epochs.truncateFromStart(offset);
    this.lastScrubbed = null;
  }

  advanceLogStart(offset: number): void {
    if (offset <= this._logStartOffset) return;
    if (offset > this.logEndOffset) throw new RangeError(`logStartOffset ${offset} would pass logEndOffset ${this.logEndOffset}`);
    try {
      writeLogStartOffset(this.dir, offset);
    } catch (err) {
      throw new StorageError(`could not checkpoint logStartOffset in ${this.dir}`, { cause: err });
    }
    this._logStartOffset = offset;
    this.deleteSegmentsBelow(offset);
    this.epochs.truncateFromStart(offset);
  }

  /** Deletes closed segments whose every offset is below `offset`: those the next segment starts at or before. */
  private deleteSegmentsBelow(offset: number): number {
    const n = segmentsWhollyBelow(this.segments, offset);
    return this.deleteOldest(n);
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

  private deleteOldest(n: number): number {
    for (let i = 0; i < n; i++) this.removeSegment(this.segments[i]);
    if (n > 0) this.segments = this.segments.slice(n);
    return n;
  }

  /** Deletes a segment's files; the caller takes it out of `segments`. */
  private removeSegment(segment: Segment): void {
    this._sizeBytes -= segment.sizeBytes;
    try {
      segment.delete();
    } catch (err) {
      // The segment is out of the log either way; a file left behind is only wasted space.
      this.logger.warn({ segment: segment.logPath, err }, 'could not remove deleted segment files');
    }
  }

  reconfigure(config: LogConfig): void {
    this.config = config;
    if (!this.closed) this.flusher.setPolicy(config.flushPolicy, config.flushIntervalMs);
    this.cleaner.deleteRetentionMs = config.deleteRetentionMs ?? DEFAULT_DELETE_RETENTION_MS;
  }

  compact(now: number): CompactResult {
    if (this.closed || this.failure !== null) return NOTHING_CLEANED;
    // Closed segments whose records are all durable: a crash must not take back a record that made another obsolete.
    const durable = this.flusher.durableThrough;
    const cleanable: Segment[] = [];
    for (const s of this.segments.slice(0, -1)) {
      if (s.nextOffset - 1 > durable || !this.verifiedWhole(s)) break;
      cleanable.push(s);
    }
    const views = cleanable.map((segment) => ({
      segment,
      baseOffset: segment.baseOffset,
      sizeBytes: segment.sizeBytes,
      forEachBatch: (fn: (buf: Buffer, pos: number, size: number) => void) => forEachStoredBatch(segment.fd, segment.sizeBytes, fn),
    }));
    try {
      return this.cleaner.compact(views, now, (view, batches) => this.replaceSegment((view as (typeof views)[number]).segment, batches));
    } catch (err) {
      throw new StorageError(`compaction of ${this.dir} failed`, { cause: err });
    }
  }

  /**
   * Whether every batch of closed segment `s` passes its CRC32C check, checked
   * now. Compaction stops before a segment that fails: it would read keys out of
   * corrupt bytes and write them back under a fresh, valid CRC.
   */
  private verifiedWhole(s: Segment): boolean {
    if (s.corrupt.size > 0) return false;
    const step = s.scrub(0, s.sizeBytes);
    for (const range of step.found) this.reportCorrupt(s, range);
    return step.found.length === 0 && step.problem === null;
  }

  /** Puts a cleaned copy holding `batches` in place of closed segment `old` (segment-swap.ts), on disk and here. */
  private replaceSegment(old: Segment, batches: Buffer[]): void {
    // Reads serve the compacted records from now on, as they would from the files.
    writeCleanedFile(this.dir, old.baseOffset, batches);
    swapCleanedFile(this.dir, old.baseOffset);
    // From here the new .log is the segment; the old descriptor still reads the old file until closed.
    const fresh = Segment.open(this.dir, old.baseOffset, this.config.indexIntervalBytes);
    recoverSegment(fresh, false, { indexIntervalBytes: this.config.indexIntervalBytes, cleanShutdown: true, logger: this.logger, now: Date.now() });
    this.segments[this.segments.indexOf(old)] = fresh;
    this._sizeBytes += fresh.sizeBytes - old.sizeBytes;
    old.close();
    try {
      const written: Promise<void> = fresh
        .persistIndexes()
        .catch((err: unknown) => this.warnIndexes(fresh, err))
        .finally(() => this.indexWrites.delete(written));
      this.indexWrites.add(written);
    } catch (err) {
      this.warnIndexes(fresh, err);
    }
  }

  /** Closes the active segment and starts a new one at logEndOffset. */
  private roll(): void {
    const old = this.active;
    let segment: Segment;
    try {
      segment = Segment.create(this.dir, old.nextOffset, this.config.indexIntervalBytes);
    } catch (err) {
      throw new StorageError(`could not create a new segment in ${this.dir}`, { cause: err });
    }
    this.segments.push(segment);
    old.forgetTail();
    try {
      // Not awaited: the fdatasync of the index files runs in the background.
      const written: Promise<void> = old
        .persistIndexes()
        .catch((err: unknown) => this.warnIndexes(old, err))
        .finally(() => this.indexWrites.delete(written));
      this.indexWrites.add(written);
    } catch (err) {
      this.warnIndexes(old, err);
    }
  }

  /** A half-written index file could mislead the next open; without one it rebuilds from the .log. */
  private warnIndexes(segment: Segment, err: unknown): void {
    this.logger.warn({ segment: segment.logPath, err }, 'could not write segment indexes; they will be rebuilt at next open');
    for (const p of [segment.offsetIndex.path, segment.timeIndex.path]) {
      try {
        fs.rmSync(p, { force: true });
      } catch {
        // Recovery checks the files anyway; this only spares it a misleading one.
      }
    }
  }

  /**
   * Makes everything durable, writes the active segment's indexes and the
   * clean-shutdown marker (skipped if anything failed, so the next open
   * recovers), and closes the files. Rejects if data could not be made durable.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failure ??= new StorageError(`log ${this.dir} is closed`);
    let error: unknown = null;
    try {
      await this.flusher.close();
      await this.active.persistIndexes();
      await Promise.all(this.indexWrites);
    } catch (err) {
      error = err;
    }
    if (error === null) {
      try {
        writeCleanShutdownMarker(this.dir, this.runs);
      } catch (err) {
        error = err;
      }
    }
    for (const s of this.segments) s.close();
    if (error !== null) throw error instanceof StorageError ? error : new StorageError(`could not close log ${this.dir} cleanly`, { cause: error });
  }

  async destroy(): Promise<void> {
    try {
      await this.close();
    } catch {
      // Its data is being removed; whether it was durable no longer matters.
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
