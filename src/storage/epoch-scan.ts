// The leader epochs a log's batches carry, read from their headers: where each
// newer epoch's records start, oldest first (the entries of a leader-epoch
// checkpoint). Read once, at the open of a log written before the checkpoint
// existed; one small pread per batch, no record is decoded.
//
//   batch header: baseOffset int64 @0, batchLength int32 @8, partitionLeaderEpoch int32 @12

import { BATCH_HEADER_SIZE, batchSize } from '../protocol/record-batch.js';
import { readFully } from './batch-scan.js';
import type { EpochEntry } from './leader-epoch-cache.js';

/** The segments' files, oldest first; bytes [0, sizeBytes) of each are whole batches. */
export function epochsInSegments(segments: readonly { fd: number; sizeBytes: number }[]): EpochEntry[] {
  const found: EpochEntry[] = [];
  const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
  for (const segment of segments) {
    for (let position = 0; position + BATCH_HEADER_SIZE <= segment.sizeBytes; ) {
      if (readFully(segment.fd, header, 0, BATCH_HEADER_SIZE, position) < BATCH_HEADER_SIZE) break;
      const size = batchSize(header, 0);
      // A damaged length (a corrupt batch kept in place) ends what can be read of this segment.
      if (size < BATCH_HEADER_SIZE) break;
      const epoch = header.readInt32BE(12);
      if (epoch >= 0 && epoch > (found.at(-1)?.epoch ?? -1)) found.push({ epoch, startOffset: Number(header.readBigInt64BE(0)) });
      position += size;
    }
  }
  return found;
}
