import { BATCH_HEADER_SIZE, LOG_OVERHEAD, batchSize, setBaseOffset } from '../protocol/record-batch.js';

/**
 * Gives the batches laid end to end in `batches` consecutive offsets from
 * `baseOffset`, patching each header in place (outside the CRC, so it stays
 * valid). Returns the offset after the last record. One header read per batch;
 * the records are not touched. Throws RangeError if the buffer is not whole
 * batches, which the broker's validation should already have ruled out.
 */
export function assignOffsets(batches: Buffer, baseOffset: number, leaderEpoch: number): number {
  let next = baseOffset;
  for (let pos = 0; pos < batches.length; ) {
    const size = pos + LOG_OVERHEAD <= batches.length ? batchSize(batches, pos) : 0;
    if (size < BATCH_HEADER_SIZE || pos + size > batches.length) throw new RangeError(`no whole batch at byte ${pos} of the appended buffer`);
    const lastOffsetDelta = batches.readInt32BE(pos + 23);
    if (lastOffsetDelta < 0) throw new RangeError(`negative last offset delta in the batch at byte ${pos}`);
    setBaseOffset(batches, pos, next, leaderEpoch);
    next += lastOffsetDelta + 1;
    pos += size;
  }
  if (next === baseOffset) throw new RangeError('nothing to append');
  return next;
}
