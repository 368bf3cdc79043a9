// Opening a partition directory: find the segments, load or rebuild their
// indexes, and cut off whatever a crash left half written.
//
// Per segment, oldest first:
//   - the active (last) segment at every open, clean shutdown or not, and any
//     segment whose index files are missing or malformed: replay the whole
//     .log, checking each batch's CRC, and rebuild the indexes from it;
//   - otherwise: trust the indexes up to their last offset entry and replay
//     only the tail after it (CRC-checked after an unclean shutdown), which
//     also yields the segment's next offset and max timestamp.
// The replay stops at the first torn or malformed batch (one whose length does
// not frame it) and the file is cut there. A batch that is framed but fails
// its CRC is corruption, not a torn write, and is kept and marked (see
// corrupt-batch.ts): its bytes were acknowledged. The one exception is the
// last batch of the active segment after an unclean shutdown: that is where a
// torn write lands, so it is cut like a torn tail. The log must stay a
// contiguous prefix, so a cut in an older segment also removes every newer
// one. A compaction swap a crash interrupted is finished or discarded first
// (segment-swap.ts).

import fs from 'node:fs';
import path from 'node:path';
import { type BatchInfo, type ScanResult, scanBatches } from './batch-scan.js';
import { TMP_SUFFIX } from './checkpoint-file.js';
import { finishInterruptedSwaps } from './segment-swap.js';
import { Segment, parseSegmentFileName, segmentFileName } from './segment.js';
import { StorageError } from './storage-error.js';
import type { StorageLogger } from './storage-logger.js';

const INDEX_SUFFIXES = ['.index', '.timeindex'];

export interface LoadOptions {
  indexIntervalBytes: number;
  /** Whether the previous run closed the log (the .clean-shutdown marker was there). */
  cleanShutdown: boolean;
  logger: StorageLogger;
  /** Wall-clock now (ms), for the active segment's roll timer. */
  now: number;
}

/** Opens every segment in `dir` (creating segment 0 if there is none), oldest first. */
export async function loadSegments(dir: string, opts: LoadOptions): Promise<Segment[]> {
  const swaps = finishInterruptedSwaps(dir);
  if (swaps.discarded.length + swaps.completed.length > 0) opts.logger.warn({ dir, ...swaps }, 'finished segment swaps a crash interrupted during compaction');
  const names = fs.readdirSync(dir);
  const bases = removeLeftovers(dir, names);
  const segments: Segment[] = [];
  const persisting: Promise<void>[] = [];
  for (let i = 0; i < bases.length; i++) {
    const segment = Segment.open(dir, bases[i], opts.indexIntervalBytes);
    segments.push(segment);
    const prevNextOffset = i === 0 ? segment.baseOffset : segments[i - 1].nextOffset;
    if (segment.baseOffset < prevNextOffset) {
      for (const s of segments) s.close();
      throw new StorageError(`segment ${segment.logPath} overlaps the one before it (which ends at offset ${prevNextOffset})`);
    }
    const active = i === bases.length - 1;
    const { cutBytes, rebuilt } = recoverSegment(segment, active, opts);
    if (cutBytes > 0 && !active) {
      const dropped = bases.slice(i + 1);
      opts.logger.warn({ segment: segment.logPath, droppedSegments: dropped.length }, 'removing segments after a cut one, to keep the log contiguous');
      for (const base of dropped) removeSegmentFiles(dir, base);
      break;
    }
    // Rebuilt indexes of closed segments are written now, so the next open need not rebuild them again.
    if (rebuilt && !active) persisting.push(segment.persistIndexes());
  }
  const results = await Promise.allSettled(persisting);
  for (const r of results) {
    if (r.status === 'rejected') opts.logger.warn({ dir, err: r.reason }, 'could not write rebuilt segment indexes; they will be rebuilt at next open');
  }
  if (segments.length === 0) segments.push(Segment.create(dir, 0, opts.indexIntervalBytes));
  const active = segments[segments.length - 1];
  active.rollStartMs = rollStartOf(active, opts.now);
  // What a clean close wrote is what the rescan rebuilt: closing an untouched log again writes no index.
  if (opts.cleanShutdown) active.adoptIndexFiles();
  return segments;
}

/** Base offsets of the segment .log files, sorted; deletes temp files and index files whose .log is gone. */
function removeLeftovers(dir: string, names: string[]): number[] {
  const bases: number[] = [];
  for (const name of names) {
    const base = parseSegmentFileName(name);
    if (base !== null) bases.push(base);
  }
  const logs = new Set(bases.map((b) => segmentFileName(b, '.log')));
  for (const name of names) {
    const orphanIndex = INDEX_SUFFIXES.some((s) => name.endsWith(s) && !logs.has(name.slice(0, -s.length) + '.log'));
    if (name.endsWith(TMP_SUFFIX) || orphanIndex) fs.rmSync(path.join(dir, name), { force: true });
  }
  return bases.sort((a, b) => a - b);
}

function removeSegmentFiles(dir: string, base: number): void {
  for (const suffix of ['.log', ...INDEX_SUFFIXES]) fs.rmSync(path.join(dir, segmentFileName(base, suffix)), { force: true });
}

/**
 * Fills in a just-opened segment's state (next offset, max timestamp, indexes,
 * corrupt batches), cutting a torn tail. Returns the bytes cut and whether the
 * indexes were rebuilt from scratch.
 */
export function recoverSegment(segment: Segment, active: boolean, opts: LoadOptions): { cutBytes: number; rebuilt: boolean } {
  const unclean = !opts.cleanShutdown;
  let result = active ? null : replayTail(segment, unclean);
  // A bad tail is replayed again from the start, so the time index and max
  // timestamp come only from batches that survive the cut.
  if (result !== null && result.problem !== null) result = null;
  const rebuilt = result === null;
  // After a crash the active segment's unframeable tail is a torn write, to be cut;
  // elsewhere it is damage with whole batches after it, to be kept.
  const resync = !(active && unclean);
  if (result === null) result = rescan(segment, segment.sizeBytes, resync);
  const last = lastCorruptBatch(segment);
  if (active && unclean && last !== null && last.position + last.size === result.validEnd) {
    segment.corrupt.delete(last.position);
    result = { validEnd: last.position, problem: result.problem ?? 'last batch fails its CRC32C check: a torn write' };
    rescan(segment, last.position, resync);
  }
  const cutBytes = segment.sizeBytes - result.validEnd;
  if (result.problem !== null) {
    segment.truncateTo(result.validEnd);
    opts.logger.warn({ segment: segment.logPath, cutBytes, reason: result.problem, nextOffset: segment.nextOffset }, 'cut torn or corrupt tail of log segment');
  }
  for (const range of segment.corruptRanges()) {
    opts.logger.error({ segment: segment.logPath, ...range }, 'record batch fails its CRC32C check: kept on disk, never served');
  }
  if (rebuilt && !active) opts.logger.info({ segment: segment.logPath }, 'rebuilt segment indexes from the .log');
  if (!active) segment.forgetTail();
  return { cutBytes, rebuilt };
}

/**
 * Cuts `segment` at `position`, a batch boundary: its state (next offset, max
 * timestamp, indexes, corrupt batches) is rebuilt from the batches before it,
 * then the file is truncated there.
 */
export function cutSegment(segment: Segment, position: number): void {
  rescan(segment, position, true);
  segment.truncateTo(position);
}

/** Replays bytes [0, to) of the .log with CRC checks, rebuilding the indexes and keeping corrupt batches marked. */
function rescan(segment: Segment, to: number, resync: boolean): ScanResult {
  segment.resetTracking();
  return scanBatches(
    segment.fd,
    0,
    to,
    { segmentBaseOffset: segment.baseOffset, minBaseOffset: segment.baseOffset, verifyCrc: true, keepCorrupt: true, resync },
    (batch, corrupt) => {
      segment.track(batch, true);
      if (corrupt) segment.markCorrupt(batch);
    },
  );
}

function lastCorruptBatch(segment: Segment): BatchInfo | null {
  let last: BatchInfo | null = null;
  for (const b of segment.corrupt.values()) if (last === null || b.position > last.position) last = b;
  return last;
}

/**
 * Loads the index files and replays the .log from the last offset index entry.
 * Returns null when the indexes cannot be trusted and the caller must rebuild.
 */
function replayTail(segment: Segment, verifyCrc: boolean): ScanResult | null {
  const { offsetIndex, timeIndex } = segment;
  if (!offsetIndex.load(segment.sizeBytes) || !timeIndex.load()) return null;
  const from = offsetIndex.lastPosition;
  const entry = segment.batchAt(from);
  if (offsetIndex.length > 0 && (entry === null || entry.baseOffset !== segment.baseOffset + offsetIndex.lastRelativeOffset)) return null;
  segment.resumeFromTimeIndex();
  let first = true;
  const result = scanBatches(
    segment.fd,
    from,
    segment.sizeBytes,
    { segmentBaseOffset: segment.baseOffset, minBaseOffset: entry?.baseOffset ?? segment.baseOffset, verifyCrc },
    (batch) => {
      // The batch at the last entry already has its index entry.
      segment.track(batch, !first);
      first = false;
    },
  );
  // A time entry beyond the last batch means the files do not describe this .log.
  if (result.problem === null && timeIndex.lastRelativeOffset >= segment.nextOffset - segment.baseOffset) return null;
  return result;
}

/**
 * When the active segment's roll timer started: its first batch's timestamp
 * (never later than now), since the wall-clock time of that append is not
 * stored. Null when empty.
 */
function rollStartOf(segment: Segment, now: number): number | null {
  const first = segment.batchAt(0);
  if (first === null) return null;
  return first.maxTimestamp >= 0 ? Math.min(first.maxTimestamp, now) : now;
}
