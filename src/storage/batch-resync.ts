// Finding where whole batches start again after bytes that cannot be framed.
// A batch's length, base offset and magic byte lie outside its CRC32C, so one
// flipped bit there breaks the framing of everything after it. Kafka cuts the
// segment at that point, dropping acknowledged records that are still intact;
// Sluice looks for the next batch it can prove whole (its header follows on in
// offsets and its CRC32C matches) and keeps the bytes between as corrupt.

import { MAX_RELATIVE_OFFSET } from './segment-policy.js';
import { type BatchInfo, batchInfoAt, readFully } from './batch-scan.js';
import { BATCH_HEADER_SIZE, CURRENT_MAGIC, batchSize, checkBatch } from '../protocol/record-batch.js';

const WINDOW_BYTES = 1 << 20;

export interface ResyncBounds {
  /** The batch found must start at or above this offset. */
  minBaseOffset: number;
  /** ...and end within MAX_RELATIVE_OFFSET of the segment's base offset. */
  segmentBaseOffset: number;
}

/**
 * The first whole batch starting in (from, to) of the file whose offsets fit
 * `bounds` and whose CRC32C matches; null when there is none (a torn tail).
 * Headers are screened in memory (magic byte, length, offsets), so only a
 * plausible candidate costs a read of its whole batch.
 */
export function findNextBatch(fd: number, from: number, to: number, bounds: ResyncBounds): BatchInfo | null {
  const window = Buffer.allocUnsafe(Math.min(WINDOW_BYTES, Math.max(to - from, BATCH_HEADER_SIZE)));
  for (let start = from + 1; start + BATCH_HEADER_SIZE <= to; start += window.length - BATCH_HEADER_SIZE + 1) {
    const filled = readFully(fd, window, 0, Math.min(window.length, to - start), start);
    for (let at = 0; at + BATCH_HEADER_SIZE <= filled; at++) {
      const position = start + at;
      if (!plausibleHeader(window, at, position, to, bounds)) continue;
      const info = batchInfoAt(window, at, position);
      const whole = Buffer.allocUnsafe(info.size);
      if (readFully(fd, whole, 0, info.size, position) === info.size && checkBatch(whole, 0, info.size) === null) return info;
    }
    if (filled < window.length) break;
  }
  return null;
}

function plausibleHeader(buf: Buffer, at: number, position: number, to: number, bounds: ResyncBounds): boolean {
  if (buf[at + 16] !== CURRENT_MAGIC) return false;
  const size = batchSize(buf, at);
  if (size < BATCH_HEADER_SIZE || position + size > to) return false;
  const baseOffset = Number(buf.readBigInt64BE(at));
  const lastOffsetDelta = buf.readInt32BE(at + 23);
  return baseOffset >= bounds.minBaseOffset && lastOffsetDelta >= 0 && baseOffset + lastOffsetDelta - bounds.segmentBaseOffset <= MAX_RELATIVE_OFFSET;
}
