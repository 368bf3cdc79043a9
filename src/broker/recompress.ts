// compression.type other than `producer`: batches sent in another codec are
// stored in the topic's, as Kafka's broker does (LogValidator rebuilds a batch
// whose codec differs from the target). The records section is decompressed
// (capped, as validation did) and compressed again, the records themselves
// byte for byte; the header keeps base offset, lastOffsetDelta, timestamps,
// timestamp type, transactional bit, producer id, epoch and base sequence, so
// offsets, idempotent retries and transactions are unaffected. Only the length,
// the codec bits and the CRC change. Batches already in the topic's codec, and
// header-only batches (no records), stay as they are.
//
// Cost: one decompression and one compression per recompressed batch
// (bench/produce-validation.ts); topics left at `producer` never reach this.

import { type Codec, batchCodec, batchSize } from '../protocol/record-batch.js';
import { recodeBatch } from '../protocol/record-scan.js';
import { batchRecordBytes } from '../protocol/records.js';

export interface CompressionTarget {
  codec: Codec;
  /** For codecs with levels (gzip, zstd); their default otherwise. */
  level?: number;
}

/**
 * The validated `records` with every batch in `target.codec` (the same buffer
 * when none needed recompressing), and the size of the largest batch, which
 * recompression may have grown. Throws DecompressionError or
 * MalformedFrameError on records it cannot read.
 */
export function recompressBatches(records: Buffer, target: CompressionTarget): { records: Buffer; largestBatch: number } {
  let parts: Buffer[] | null = null;
  let largestBatch = 0;
  for (let pos = 0; pos < records.length; ) {
    const size = batchSize(records, pos);
    let batch = records.subarray(pos, pos + size);
    if (batchCodec(batch) !== target.codec && batch.readInt32BE(57) > 0) {
      batch = recodeBatch(batch, 0, batchRecordBytes(batch), target.codec, target.level);
      // The batches before the first recompressed one are kept as one view.
      parts ??= [records.subarray(0, pos)];
    }
    parts?.push(batch);
    largestBatch = Math.max(largestBatch, batch.length);
    pos += size;
  }
  return { records: parts ? Buffer.concat(parts) : records, largestBatch };
}

