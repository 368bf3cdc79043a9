// Reading RecordBatch headers straight from a segment file. Reads use
// `readHeaderAt` to step from an index entry to the batch they want (a few
// small preads served by the page cache); recovery and index rebuilds use
// `scanBatches` to walk a whole file in large chunks, checking each batch.

import fs from 'node:fs';
import { findNextBatch } from './batch-resync.js';
import { MAX_RELATIVE_OFFSET } from './segment-policy.js';
import { BATCH_HEADER_SIZE, CURRENT_MAGIC, batchSize, checkBatch } from '../protocol/record-batch.js';

/** Where a batch lies in a segment file and the header fields storage needs. */
export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}


/** Reads until `length` bytes are in or the file ends; returns how many were read. */
export function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Header fields of the batch at `buf[at]`, which lies at `position` in its file. */
export function batchInfoAt(buf: Buffer, at: number, position: number): BatchInfo {
  const baseOffset = Number(buf.readBigInt64BE(at));
  return {
    position,
    size: batchSize(buf, at),
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + 23),
    maxTimestamp: Number(buf.readBigInt64BE(at + 35)),
  };
}

/** Reads the headers of batches written by this log, so trusted; one scratch buffer, no allocation per read. */
export class HeaderReader {
  private readonly scratch = Buffer.allocUnsafe(BATCH_HEADER_SIZE);

  /** The batch at `position`, or null if no whole batch lies between it and `limit`. */
  readAt(fd: number, position: number, limit: number): BatchInfo | null {
    if (limit - position < BATCH_HEADER_SIZE) return null;
    if (readFully(fd, this.scratch, 0, BATCH_HEADER_SIZE, position) < BATCH_HEADER_SIZE) return null;
    const info = batchInfoAt(this.scratch, 0, position);
    return info.size < BATCH_HEADER_SIZE || position + info.size > limit ? null : info;
  }
}

export interface ScanResult {
  /** End of the last valid batch: where the file should be cut. */
  validEnd: number;
  /** Why the scan stopped before `to`, or null when every byte was a valid batch. */
  problem: string | null;
}

export interface ScanOptions {
  /** The segment's base offset: batches must not go below it nor more than MAX_RELATIVE_OFFSET past it. */
  segmentBaseOffset: number;
  /** The first batch must start at or above this offset (later ones above their predecessor). */
  minBaseOffset: number;
  /** Check every batch's CRC32C (recovery after a crash), not just its header. */
  verifyCrc: boolean;
  /**
   * With verifyCrc: a batch whose framing is whole but whose CRC or header
   * fields are wrong does not stop the scan. It is visited with `corrupt` set,
   * its max timestamp ignored and its last offset taken from the batch after
   * it (its own lastOffsetDelta is among the bytes that cannot be trusted).
   */
  keepCorrupt?: boolean;
  /**
   * With keepCorrupt: bytes that cannot be framed (a damaged length or base
   * offset, which no CRC covers) do not stop the scan when a whole batch follows
   * (batch-resync.ts): they are visited as one corrupt batch covering the
   * offsets up to it. Off where a torn write is the likely cause (the active
   * segment after a crash), so that tail is cut as before.
   */
  resync?: boolean;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Walks the batches in bytes [from, to) of a segment file, calling `visit` for
 * each valid one, and stops at the first that is torn (cut short), malformed,
 * out of offset order, or (with verifyCrc) fails its CRC, unless keepCorrupt.
 */
export function scanBatches(fd: number, from: number, to: number, opts: ScanOptions, visit: (batch: BatchInfo, corrupt: boolean) => void): ScanResult {
  let buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(to - from, BATCH_HEADER_SIZE)));
  let bufStart = from;
  let bufEnd = from;
  const fill = (at: number, length: number): void => {
    const want = Math.min(length, to - at);
    if (buf.length < want) buf = Buffer.allocUnsafe(want);
    bufStart = at;
    bufEnd = at + readFully(fd, buf, 0, want, at);
  };
  let pos = from;
  let minBaseOffset = opts.minBaseOffset;
  // A corrupt batch waits for the next one, whose base offset ends its range.
  let pendingCorrupt: BatchInfo | null = null;
  const settleCorrupt = (nextBaseOffset: number | null): void => {
    if (pendingCorrupt === null) return;
    if (nextBaseOffset !== null) pendingCorrupt.lastOffset = nextBaseOffset - 1;
    visit(pendingCorrupt, true);
    pendingCorrupt = null;
  };
  const stop = (problem: string): ScanResult => {
    settleCorrupt(null);
    return { validEnd: pos, problem };
  };
  // Visits the batch at pos and moves past it; otherwise says why it cannot (final: no batch can follow).
  const frameProblem = (): { message: string; final: boolean } | null => {
    if (to - pos < BATCH_HEADER_SIZE) return { message: `${to - pos} trailing bytes are too few for a batch`, final: true };
    if (pos + BATCH_HEADER_SIZE > bufEnd) fill(pos, buf.length);
    if (pos + BATCH_HEADER_SIZE > bufEnd) return { message: 'file ended while reading a batch header', final: true };
    const at = pos - bufStart;
    const size = batchSize(buf, at);
    if (size < BATCH_HEADER_SIZE) return { message: `batch length ${size} is shorter than a batch header`, final: false };
    if (pos + size > to) return { message: `torn batch: ${size} bytes claimed, ${to - pos} left in the file`, final: false };
    if (opts.verifyCrc) {
      if (pos + size > bufEnd) fill(pos, Math.max(buf.length, size));
      if (pos + size > bufEnd) return { message: 'file ended while reading a batch', final: true };
      const problem = checkBatch(buf, pos - bufStart, pos - bufStart + size);
      if (problem && !opts.keepCorrupt) return { message: problem.message, final: false };
      if (problem) {
        const info = batchInfoAt(buf, pos - bufStart, pos);
        if (info.baseOffset < minBaseOffset) return { message: `batch offset ${info.baseOffset} is below ${minBaseOffset}`, final: false };
        settleCorrupt(info.baseOffset);
        pendingCorrupt = { ...info, maxTimestamp: -1, lastOffset: Math.max(info.baseOffset, Math.min(info.lastOffset, info.baseOffset + MAX_RELATIVE_OFFSET)) };
        minBaseOffset = info.baseOffset + 1;
        pos += size;
        return null;
      }
    } else if (buf.readInt8(at + 16) !== CURRENT_MAGIC || buf.readInt32BE(at + 23) < 0) {
      return { message: 'batch header has a bad magic byte or offset delta', final: false };
    }
    const info = batchInfoAt(buf, pos - bufStart, pos);
    if (info.baseOffset < minBaseOffset) return { message: `batch offset ${info.baseOffset} is below ${minBaseOffset}`, final: false };
    if (info.lastOffset - opts.segmentBaseOffset > MAX_RELATIVE_OFFSET) return { message: `batch offset ${info.lastOffset} is too far past the segment's base offset`, final: false };
    settleCorrupt(info.baseOffset);
    visit(info, false);
    minBaseOffset = info.lastOffset + 1;
    pos += size;
    return null;
  };
  // Unframeable bytes at pos: skipped as corrupt up to the next whole batch when resync finds one.
  const resyncOrStop = (problem: string): ScanResult | null => {
    // After a batch that failed its CRC, its length is suspect too: look from its start.
    const from = pendingCorrupt?.position ?? pos;
    const next = opts.resync ? findNextBatch(fd, from, to, { minBaseOffset, segmentBaseOffset: opts.segmentBaseOffset }) : null;
    if (next === null) return stop(problem);
    if (pendingCorrupt !== null) {
      pendingCorrupt.size = next.position - pendingCorrupt.position;
    } else {
      // Bytes covering no offset are not a lost batch: nothing to keep them as.
      if (next.baseOffset <= minBaseOffset) return stop(problem);
      pendingCorrupt = { position: pos, size: next.position - pos, baseOffset: minBaseOffset, lastOffset: minBaseOffset, maxTimestamp: -1 };
    }
    settleCorrupt(next.baseOffset);
    pos = next.position;
    minBaseOffset = next.baseOffset;
    return null;
  };
  while (pos < to) {
    const problem = frameProblem();
    if (problem === null) continue;
    if (problem.final) return stop(problem.message);
    const stopped = resyncOrStop(problem.message);
    if (stopped !== null) return stopped;
  }
  settleCorrupt(null);
  return { validEnd: pos, problem: null };
}
