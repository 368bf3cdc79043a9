// Batches kept on disk whose bytes no longer match their CRC32C (or whose
// header no longer makes sense) while the batches around them are whole: bit
// rot or a bad sector, not a torn write. Their bytes are kept, since they were
// acknowledged and a replica or an operator may still repair them, but they are
// never served: a read that reaches one gets CorruptBatchError instead.

import { SluiceError } from '../errors.js';
import { batchSize, checkBatch } from '../protocol/record-batch.js';
import type { PartitionLog } from './partition-log.js';

/** Offsets a corrupt batch covers: its base offset up to the offset before the next batch. */
export interface CorruptRange {
  baseOffset: number;
  lastOffset: number;
}

/** A corrupt range with where its bytes lie: the segment file (its name) and the byte range in it. */
export interface CorruptSpan extends CorruptRange {
  segment: string;
  position: number;
  size: number;
}

/** Called once per corrupt batch found (at open or by a read), for counters. */
export type CorruptBatchListener = (range: CorruptRange) => void;

/**
 * Position in `buf` (whole batches laid end to end, as a read returns them) of
 * the first batch that fails its CRC32C or header check; -1 when all pass.
 */
export function firstCorruptBatch(buf: Buffer): number {
  for (let pos = 0; pos < buf.length; ) {
    const size = batchSize(buf, pos);
    if (checkBatch(buf, pos, pos + size) !== null) return pos;
    pos += size;
  }
  return -1;
}

/** A read reached a batch recorded as corrupt; fetch answers CORRUPT_MESSAGE for it. */
export class CorruptBatchError extends SluiceError {
  constructor(
    readonly logDir: string,
    readonly range: CorruptRange,
  ) {
    super('SLUICE_ERR_CORRUPT_BATCH', `${logDir}: offsets ${range.baseOffset}-${range.lastOffset} are in a batch that fails its CRC32C check`);
    this.name = 'CorruptBatchError';
  }
}

/**
 * `log.read` for start-up replays (producer state, transactions, internal
 * topics): steps over corrupt batches, whose records cannot be trusted and are
 * reported where they were found.
 */
export function readPastCorrupt(log: PartitionLog, offset: number, maxBytes: number, maxOffset: number): Buffer {
  for (let from = offset; ; ) {
    try {
      return log.read(from, maxBytes, maxOffset);
    } catch (err) {
      if (!(err instanceof CorruptBatchError)) throw err;
      from = err.range.lastOffset + 1;
    }
  }
}
