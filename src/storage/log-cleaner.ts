// Log compaction (cleanup.policy=compact), shared by the file and the memory
// engine: the engine hands over its cleanable segments and a way to replace
// one; the cleaner decides what stays. Kafka's semantics:
//   - only closed segments whose records are all durable are cleaned (never the
//     active one), so a crash cannot take back the record that made another
//     obsolete;
//   - per key, only the record with the highest offset stays; records with a
//     null key stay (Kafka refuses them in compacted topics);
//   - offsets never change: kept records keep theirs and batches keep their base
//     offset and lastOffsetDelta, leaving gaps; logStartOffset and logEndOffset
//     stay; a read at a removed offset returns the next kept batch;
//   - a tombstone (null value) stays for deleteRetentionMs after its segment was
//     first cleaned, then goes;
//   - control batches and transactional batches are kept as they are for now
//     (removing aborted data and obsolete markers needs the aborted-transaction
//     index; not done yet).
//
// Per segment the cleaner remembers when it was first cleaned and whether it
// still holds tombstones (`cleaner-checkpoint` beside the segments for the
// file log): a segment with no entry has records never cleaned ("dirty"),
// and a pass runs only when one is dirty or a tombstone's time is up.
//
//   cleaner-checkpoint:  one line per cleaned segment
//     <baseOffset> <firstCleanedMs> <1 if it holds tombstones, else 0>

import fs from 'node:fs';
import { cleanBatch } from './batch-cleaner.js';
import { writeFileAtomically } from './checkpoint-file.js';
import { KeyMap } from './key-map.js';

export const CLEANER_CHECKPOINT_FILE = 'cleaner-checkpoint';
/** Default delete.retention.ms: 1 day, as in Kafka. */
export const DEFAULT_DELETE_RETENTION_MS = 24 * 3600 * 1000;

export interface CompactResult {
  /** Segments rewritten by this pass. */
  segmentsCleaned: number;
  /** Size of those segments before and after. */
  bytesBefore: number;
  bytesAfter: number;
}

export const NOTHING_CLEANED: CompactResult = Object.freeze({ segmentsCleaned: 0, bytesBefore: 0, bytesAfter: 0 });

/** A closed segment as the cleaner sees it. */
export interface CleanableSegment {
  readonly baseOffset: number;
  readonly sizeBytes: number;
  /** Calls `fn` for each batch, oldest first; `buf` may be reused after `fn` returns. */
  forEachBatch(fn: (buf: Buffer, pos: number, size: number) => void): void;
}

interface SegmentCleanState {
  firstCleanedMs: number;
  hasTombstones: boolean;
}

export class LogCleaner {
  private readonly state: Map<number, SegmentCleanState>;

  /** @param checkpointPath where the per-segment state persists; null keeps it in memory only. */
  constructor(
    private readonly checkpointPath: string | null,
    /** delete.retention.ms; the topic config may change it at run time. */
    public deleteRetentionMs: number,
  ) {
    this.state = checkpointPath === null ? new Map() : readCheckpoint(checkpointPath);
  }

  /** Forgets the segments starting at or past `offset` (the log was truncated there): a new segment there is cleaned afresh. */
  forgetFrom(offset: number): void {
    let changed = false;
    for (const base of [...this.state.keys()]) {
      if (base >= offset) changed = this.state.delete(base) || changed;
    }
    if (changed && this.checkpointPath !== null) writeCheckpoint(this.checkpointPath, this.state);
  }

  /** Whether a pass over `segments` at `now` could change anything. */
  needsCleaning(segments: readonly CleanableSegment[], now: number): boolean {
    return segments.some((s) => {
      const st = this.state.get(s.baseOffset);
      return st === undefined || (st.hasTombstones && this.tombstonesExpired(st, now));
    });
  }

  private tombstonesExpired(st: SegmentCleanState, now: number): boolean {
    return st.firstCleanedMs + this.deleteRetentionMs <= now;
  }

  /**
   * Cleans `segments` (the log's cleanable prefix, oldest first): builds the key
   * map over all of them, then calls `replace` with the batches to keep for each
   * segment that loses records. `replace` must leave the segment swapped in
   * (durably, for the file log) before returning.
   */
  compact(segments: readonly CleanableSegment[], now: number, replace: (segment: CleanableSegment, batches: Buffer[]) => void): CompactResult {
    if (!this.needsCleaning(segments, now)) return NOTHING_CLEANED;
    const keys = new KeyMap();
    for (const s of segments) s.forEachBatch((buf, pos) => keys.addBatch(buf, pos));
    const result = { segmentsCleaned: 0, bytesBefore: 0, bytesAfter: 0 };
    const next = new Map<number, SegmentCleanState>();
    for (const s of segments) {
      const previous = this.state.get(s.baseOffset);
      const removeTombstones = previous !== undefined && this.tombstonesExpired(previous, now);
      const kept: Buffer[] = [];
      let removed = 0;
      let hasTombstones = false;
      s.forEachBatch((buf, pos, size) => {
        const cleaned = cleanBatch(buf, pos, size, keys, removeTombstones);
        // The original bytes may live in a reused read buffer: keep a copy.
        if (cleaned.batch !== null) kept.push(cleaned.recordsRemoved === 0 ? Buffer.from(cleaned.batch) : cleaned.batch);
        removed += cleaned.recordsRemoved;
        hasTombstones ||= cleaned.hasTombstones;
      });
      if (removed > 0) {
        const before = s.sizeBytes;
        replace(s, kept);
        result.segmentsCleaned++;
        result.bytesBefore += before;
        result.bytesAfter += kept.reduce((n, b) => n + b.length, 0);
      }
      next.set(s.baseOffset, { firstCleanedMs: previous?.firstCleanedMs ?? now, hasTombstones });
    }
    this.state.clear();
    for (const [base, st] of next) this.state.set(base, st);
    // A lost checkpoint only means the next pass cleans again and restarts the tombstones' clock.
    if (this.checkpointPath !== null) writeCheckpoint(this.checkpointPath, this.state);
    return result;
  }
}

function readCheckpoint(file: string): Map<number, SegmentCleanState> {
  const state = new Map<number, SegmentCleanState>();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return state;
  }
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+) ([01])$/.exec(line);
    if (m) state.set(Number(m[1]), { firstCleanedMs: Number(m[2]), hasTombstones: m[3] === '1' });
  }
  return state;
}

function writeCheckpoint(file: string, state: Map<number, SegmentCleanState>): void {
  let text = '';
  for (const [base, st] of state) text += `${base} ${st.firstCleanedMs} ${st.hasTombstones ? 1 : 0}\n`;
  writeFileAtomically(file, text);
}
