// One segment of a partition log: a .log file of RecordBatches exactly as
// produced (base offsets set), named by its base offset, with its offset and
// time indexes.
//
//   00000000000000001000.log        batch | batch | batch | ...   (sizeBytes)
//   00000000000000001000.index      (relativeOffset, position) every indexIntervalBytes
//   00000000000000001000.timeindex  (maxTimestampSoFar, relativeOffset) beside each index entry
//
// Invariant: bytes [0, sizeBytes) of the .log are whole batches with
// increasing offsets in [baseOffset, nextOffset); the in-memory indexes point
// only inside them. The file descriptor stays open for reads and is the one
// fdatasync'd; it is closed only once no fdatasync is in flight on it.

import fs from 'node:fs';
import path from 'node:path';
import { LOG_OVERHEAD, batchBaseOffset, batchSize } from '../protocol/record-batch.js';
import { type BatchInfo, HeaderReader, batchInfoAt, readFully, scanBatches } from './batch-scan.js';
import { CorruptBatchError, type CorruptRange, type CorruptSpan } from './corrupt-batch.js';
import type { SyncTarget } from './flusher.js';
import { OffsetIndex } from './offset-index.js';
import type { SegmentStats } from './segment-policy.js';
import { StorageError } from './storage-error.js';
import { TailBatches } from './tail-batches.js';
import { TimeIndex } from './time-index.js';

const EMPTY = Buffer.alloc(0);
const LOG_SUFFIX = '.log';
const NAME_PATTERN = /^(\d{20})\.log$/;

/** `00000000000000001000.log` for base offset 1000 and suffix `.log`. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** Base offset of a segment's .log file name, or null for any other file. */
export function parseSegmentFileName(name: string): number | null {
  const m = NAME_PATTERN.exec(name);
  return m ? Number(m[1]) : null;
}

export class Segment implements SegmentStats, SyncTarget {
  readonly logPath: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Offset after the last batch; baseOffset while empty. */
  nextOffset: number;
  maxTimestamp = -1;
  /** Base offset of the first batch that reached maxTimestamp. */
  offsetOfMaxTimestamp: number;
  rollStartMs: number | null = null;
  /** A failed write could not be cut off again: the file holds bytes past sizeBytes. */
  broken = false;
  /** Batches kept but never served (corrupt-batch.ts), by file position; their ranges come from the batches around them. */
  readonly corrupt = new Map<number, BatchInfo>();
  private bytesSinceIndexEntry = 0;
  private syncsInFlight = 0;
  private closePending = false;
  private closed = false;
  private deleted = false;
  private readonly headers = new HeaderReader();
  /** The batches from the last index entry on, while the segment is active (tail-batches.ts). */
  private readonly tail = new TailBatches();

  private constructor(
    dir: string,
    readonly baseOffset: number,
    private readonly indexIntervalBytes: number,
    readonly fd: number,
    public sizeBytes: number,
  ) {
    this.logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    this.offsetIndex = new OffsetIndex(path.join(dir, segmentFileName(baseOffset, '.index')));
    this.timeIndex = new TimeIndex(path.join(dir, segmentFileName(baseOffset, '.timeindex')));
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
  }

  /** A new, empty segment. Any file of that name is stale (its offsets were never acknowledged) and is replaced. */
  static create(dir: string, baseOffset: number, indexIntervalBytes: number): Segment {
    const fd = fs.openSync(path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), 'w+', 0o644);
    return new Segment(dir, baseOffset, indexIntervalBytes, fd, 0);
  }

  /** An existing segment file; its state is filled in by recovery (log-recovery.ts). */
  static open(dir: string, baseOffset: number, indexIntervalBytes: number): Segment {
    const fd = fs.openSync(path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), 'r+');
    return new Segment(dir, baseOffset, indexIntervalBytes, fd, fs.fstatSync(fd).size);
  }

  /**
   * Writes whole batches (offsets already assigned) at the end of the file and
   * indexes them. On failure cuts the file back and throws StorageError, with
   * the segment as it was.
   */
  append(batches: Buffer, now: number): void {
    const start = this.sizeBytes;
    try {
      let done = 0;
      while (done < batches.length) {
        // A short write (disk filling up) is followed by one that fails, which rolls back.
        const n = fs.writeSync(this.fd, batches, done, batches.length - done, start + done);
        if (n === 0) throw new Error('write made no progress');
        done += n;
      }
    } catch (err) {
      this.rollBack(start, err);
    }
    this.sizeBytes = start + batches.length;
    if (this.rollStartMs === null) this.rollStartMs = now;
    for (let pos = 0; pos < batches.length; ) {
      const info = batchInfoAt(batches, pos, start + pos);
      this.track(info, true);
      pos += info.size;
    }
  }

  private rollBack(start: number, cause: unknown): never {
    try {
      fs.ftruncateSync(this.fd, start);
    } catch {
      this.broken = true;
      throw new StorageError(`append to ${this.logPath} failed and its partial write could not be cut off`, { cause });
    }
    throw new StorageError(`append to ${this.logPath} failed`, { cause });
  }

  /**
   * Accounts for a batch now in the file: offsets, max timestamp and, every
   * indexIntervalBytes, an index entry. Recovery replays the same calls, so a
   * rebuilt index equals the one appends built. `indexable` false resumes after
   * a batch that already has its entry.
   */
  track(batch: BatchInfo, indexable: boolean): void {
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = batch.baseOffset;
    }
    if (indexable && this.bytesSinceIndexEntry >= this.indexIntervalBytes) {
      this.offsetIndex.append(batch.baseOffset - this.baseOffset, batch.position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
      this.bytesSinceIndexEntry = 0;
      this.tail.restartAt(batch);
    } else {
      this.tail.push(batch);
    }
    this.bytesSinceIndexEntry += batch.size;
    this.nextOffset = batch.lastOffset + 1;
  }

  /** Records a batch found corrupt (after `track`): reads stop before it and refuse it. */
  markCorrupt(batch: BatchInfo): void {
    this.corrupt.set(batch.position, batch);
  }

  /**
   * Records the batch starting at `baseOffset` as corrupt once a read found it
   * so. Its range ends before the next batch (or at the segment's end): its
   * own lastOffsetDelta is among the bytes that cannot be trusted.
   */
  markCorruptAt(baseOffset: number): CorruptRange {
    const found = this.locate(baseOffset);
    if (found === null || found.baseOffset !== baseOffset) throw new StorageError(`${this.logPath} has no batch at offset ${baseOffset}`);
    return this.markCorruptSpan(found);
  }

  /** Records the bytes of `span` (a batch, or bytes a scan could not frame) as corrupt up to the next batch. */
  private markCorruptSpan(span: BatchInfo): CorruptRange {
    const next = this.batchAt(span.position + span.size);
    const batch = { ...span, maxTimestamp: -1, lastOffset: (next?.baseOffset ?? this.nextOffset) - 1 };
    this.markCorrupt(batch);
    return { baseOffset: batch.baseOffset, lastOffset: batch.lastOffset };
  }

  /**
   * Checks the CRC32C of the batches from `from` (a batch boundary) through about
   * `maxBytes` (at least one batch), recording the corrupt ones not known yet.
   * Returns where the next step starts (sizeBytes when done), the ranges newly
   * found corrupt, and why the rest of the segment cannot be framed, if so.
   */
  scrub(from: number, maxBytes: number): { next: number; found: CorruptRange[]; problem: string | null } {
    let to = Math.min(this.sizeBytes, from + maxBytes);
    const first = this.batchAt(from);
    if (first !== null && from + first.size > to) to = from + first.size;
    const fresh: BatchInfo[] = [];
    const opts = { segmentBaseOffset: this.baseOffset, minBaseOffset: this.batchAt(from)?.baseOffset ?? this.baseOffset, verifyCrc: true, keepCorrupt: true, resync: true };
    const result = scanBatches(this.fd, from, to, opts, (batch, corrupt) => {
      if (corrupt && !this.corrupt.has(batch.position)) fresh.push(batch);
    });
    const found = fresh.map((span) => this.markCorruptSpan(span));
    if (result.problem === null || result.validEnd >= this.sizeBytes) return { next: result.validEnd, found, problem: null };
    // The chunk's end cut a whole batch: the next step checks it.
    const cut = this.batchAt(result.validEnd);
    if (result.validEnd > from && cut !== null && result.validEnd + cut.size > to) return { next: result.validEnd, found, problem: null };
    return { next: this.sizeBytes, found, problem: result.problem };
  }

  /** Offset ranges of the corrupt batches, oldest first. */
  corruptRanges(): CorruptRange[] {
    return this.corruptSpans().map(({ baseOffset, lastOffset }) => ({ baseOffset, lastOffset }));
  }

  /** The corrupt batches with their byte ranges in this segment's file, oldest first. */
  corruptSpans(): CorruptSpan[] {
    const segment = path.basename(this.logPath);
    return [...this.corrupt.values()].sort((a, b) => a.position - b.position).map(({ baseOffset, lastOffset, position, size }) => ({ baseOffset, lastOffset, segment, position, size }));
  }

  /** Forgets all tracked state before recovery replays the file from the start. */
  resetTracking(): void {
    this.corrupt.clear();
    this.offsetIndex.clear();
    this.timeIndex.clear();
    this.tail.clear();
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = this.baseOffset;
    this.bytesSinceIndexEntry = 0;
  }

  /** Starts tracking from what the loaded time index knows, before recovery replays the tail. */
  resumeFromTimeIndex(): void {
    this.maxTimestamp = this.timeIndex.lastTimestamp;
    this.offsetOfMaxTimestamp = this.baseOffset + Math.max(this.timeIndex.lastRelativeOffset, 0);
    this.bytesSinceIndexEntry = 0;
    // The replay starts at the last index entry's batch.
    this.tail.clear();
  }

  /** The segment takes no more appends (it rolled, or is not the active one): reads step from the index again. */
  forgetTail(): void {
    this.tail.clear();
  }

  /** Cuts the file to `size` bytes (recovery drops a torn or corrupt tail) and the indexes with it. */
  truncateTo(size: number): void {
    fs.ftruncateSync(this.fd, size);
    this.sizeBytes = size;
    this.offsetIndex.truncateToPosition(size);
    this.timeIndex.truncateToOffset(this.nextOffset - this.baseOffset);
    this.tail.truncateToPosition(size);
  }

  /** The batch at `position`, null past the end; a corrupt one as recovery recorded it, not as its header says. */
  batchAt(position: number): BatchInfo | null {
    return this.corrupt.get(position) ?? this.headers.readAt(this.fd, position, this.sizeBytes);
  }

  /** The first batch whose last offset is >= `offset`, null if there is none. */
  locate(offset: number): BatchInfo | null {
    if (this.tail.covers(offset)) {
      const known = this.tail.locate(offset);
      return known === null ? null : (this.corrupt.get(known.position) ?? known);
    }
    let batch = this.batchAt(offset <= this.baseOffset ? 0 : this.offsetIndex.lookup(offset - this.baseOffset));
    while (batch !== null && batch.lastOffset < offset) batch = this.batchAt(batch.position + batch.size);
    return batch;
  }

  /** See PartitionLog.read; limited to this segment. null when it holds no batch at or past `offset`, so the read moves on to the next segment. */
  read(offset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer | null {
    const first = this.locate(offset);
    if (first === null) return null;
    if (first.baseOffset >= maxOffset || (!minOneBatch && first.size > maxBytes)) return EMPTY;
    if (this.corrupt.has(first.position)) throw new CorruptBatchError(path.dirname(this.logPath), { baseOffset: first.baseOffset, lastOffset: first.lastOffset });
    // Batches from the first index entry past maxOffset on are all excluded: no need to read them.
    let limit = Math.min(this.sizeBytes, this.nextCorruptPosition(first.position));
    if (maxOffset < this.nextOffset) {
      const after = this.offsetIndex.positionAfter(maxOffset - 1 - this.baseOffset);
      if (after >= 0) limit = Math.min(limit, after);
    }
    const want = Math.max(first.size, Math.min(maxBytes, limit - first.position));
    const buf = allocate(want);
    const got = readFully(this.fd, buf, 0, want, first.position);
    let end = first.size;
    if (got < end) throw new StorageError(`${this.logPath} is shorter than its recorded size`);
    while (end + LOG_OVERHEAD <= got) {
      const size = batchSize(buf, end);
      if (end + size > got || batchBaseOffset(buf, end) >= maxOffset) break;
      end += size;
    }
    return buf.subarray(0, end);
  }

  /** File position of the first corrupt batch after `position`; Infinity if none. */
  private nextCorruptPosition(position: number): number {
    let next = Infinity;
    for (const p of this.corrupt.keys()) if (p > position && p < next) next = p;
    return next;
  }

  /** The bytes of one batch found by `locate` or `batchAt`. */
  readBatch(batch: BatchInfo): Buffer {
    const buf = Buffer.allocUnsafe(batch.size);
    if (readFully(this.fd, buf, 0, batch.size, batch.position) < batch.size) {
      throw new StorageError(`${this.logPath} is shorter than its recorded size`);
    }
    return buf;
  }

  /** The first batch at or past `minOffset` whose max timestamp is >= `timestamp`. */
  findByTimestamp(timestamp: number, minOffset: number): BatchInfo | null {
    if (this.maxTimestamp < timestamp) return null;
    let batch = this.locate(Math.max(this.baseOffset + this.timeIndex.lookup(timestamp), minOffset));
    while (batch !== null && batch.maxTimestamp < timestamp) batch = this.batchAt(batch.position + batch.size);
    return batch;
  }

  /**
   * Writes the indexes out when the segment stops being active (roll, close),
   * with a last time entry holding its max timestamp so reopening knows it.
   * The time index goes first: a reopen trusts it to cover every batch up to the
   * last offset index entry in the files. Throws if a write fails; the returned
   * promise settles when both are fdatasynced.
   */
  /**
   * Takes the index files as written when they hold what persistIndexes would
   * write now (its final time entry included), so the next close writes them only if appends changed them.
   */
  adoptIndexFiles(): void {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
    this.timeIndex.adoptMatchingFile();
    this.offsetIndex.adoptMatchingFile();
  }

  persistIndexes(): Promise<void> {
    this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp - this.baseOffset);
    const timeSynced = this.timeIndex.persist();
    let offsetSynced: Promise<void>;
    try {
      offsetSynced = this.offsetIndex.persist();
    } catch (err) {
      timeSynced.catch(() => {}); // the write error thrown below is the one to report
      throw err;
    }
    return Promise.all([timeSynced, offsetSynced]).then(() => undefined);
  }

  sync(): Promise<void> {
    if (this.closed || this.closePending) return Promise.resolve();
    this.syncsInFlight++;
    return new Promise((resolve, reject) => {
      fs.fdatasync(this.fd, (err) => {
        this.syncsInFlight--;
        if (this.closePending && this.syncsInFlight === 0) this.closeNow();
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Closes the file, once any fdatasync in flight on it is done. */
  close(): void {
    if (this.closed) return;
    if (this.syncsInFlight > 0) this.closePending = true;
    else this.closeNow();
  }

  private closeNow(): void {
    this.closed = true;
    fs.closeSync(this.fd);
  }

  /** Removes the segment's files (retention, DeleteRecords). */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.close();
    for (const p of [this.logPath, this.offsetIndex.path, this.timeIndex.path]) fs.rmSync(p, { force: true });
  }
}
