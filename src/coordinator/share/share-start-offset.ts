// Where a share group starts reading a partition it has no state for, by its
// share.auto.offset.reset: the log start (earliest), the high watermark
// (latest), or the first record whose timestamp is at or after now minus the
// duration (by_duration, KIP-1106; the broker's ListOffsets-by-time lookup),
// the high watermark when no record is that recent. As in Kafka, read
// uncommitted whatever the group's isolation level.

import { firstRecordAtOrAfter } from '../../broker/list-offsets.js';
import type { Partition } from '../../broker/partition.js';
import type { ShareAutoOffsetReset } from '../../metadata/share-auto-offset-reset.js';

export function shareStartOffset(partition: Partition, reset: ShareAutoOffsetReset, now: number): number {
  switch (reset.kind) {
    case 'earliest':
      return partition.logStartOffset;
    case 'latest':
      return partition.highWatermark;
    case 'by_duration': {
      const found = firstRecordAtOrAfter(partition, Math.max(now - reset.durationMs, 0), partition.highWatermark);
      return found.offset === -1 ? partition.highWatermark : found.offset;
    }
  }
}
