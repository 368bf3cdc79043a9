import { BATCH_HEADER_SIZE, LOG_OVERHEAD, batchBaseOffset, batchSize, setBaseOffset } from '../protocol/record-batch.js';

/**
 * Gives the batches laid end to end in `batches` consecutive offsets from
 * `baseOffset`, patching each header in place (outside the CRC, so it stays
 * valid). Returns the offset after the last record. One header read per batch;
 * the records are not touched. Throws RangeError if the buffer is not whole
 * batches, which the broker's validation should already have ruled out.
 */
export function assignOffsets(batches: Buffer, baseOffset: number, leaderEpoch: number): number {
  let next = baseOffset;
  forEachAppendedBatch(batches, (pos, lastOffsetDelta) => {
    setBaseOffset(batches, pos, next, leaderEpoch);
    next += lastOffsetDelta + 1;
  });
  if (next === baseOffset) throw new RangeError('nothing to append');
  return next;
}

/**
 * Checks the offsets of batches copied from another log (a follower's copy of
 * its leader's): the first starts at or after `logEndOffset` and each after
 * the one before (compaction may leave gaps). Calls `onBatch` with each
 * batch's base offset and leader epoch, and returns the offsets covered.
 * Throws RangeError otherwise, as assignOffsets does for broken framing.
 */
export function replicatedOffsets(batches: Buffer, logEndOffset: number, onBatch: (baseOffset: number, leaderEpoch: number) => void): { baseOffset: number; lastOffset: number } {
  let next = logEndOffset;
  let first = -1;
  forEachAppendedBatch(batches, (pos, lastOffsetDelta) => {
    const base = batchBaseOffset(batches, pos);
    if (base < next) throw new RangeError(`batch at byte ${pos} starts at offset ${base}, before offset ${next}`);
    if (first < 0) first = base;
    onBatch(base, batches.readInt32BE(pos + 12));
    next = base + lastOffsetDelta + 1;
  });
  if (first < 0) throw new RangeError('nothing to append');
  return { baseOffset: first, lastOffset: next - 1 };
}

/** Calls `fn` with the position and last offset delta of each whole batch laid end to end in `batches`. */
function forEachAppendedBatch(batches: Buffer, fn: (pos: number, lastOffsetDelta: number) => void): void {
  for (let pos = 0; pos < batches.length; ) {
    const size = pos + LOG_OVERHEAD <= batches.length ? batchSize(batches, pos) : 0;
    if (size < BATCH_HEADER_SIZE || pos + size > batches.length) throw new RangeError(`no whole batch at byte ${pos} of the appended buffer`);
    const lastOffsetDelta = batches.readInt32BE(pos + 23);
    if (lastOffsetDelta < 0) throw new RangeError(`negative last offset delta in the batch at byte ${pos}`);
    fn(pos, lastOffsetDelta);
    pos += size;
  }
}
