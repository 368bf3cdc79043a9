// What the share offsets admin APIs (DescribeShareGroupOffsets,
// AlterShareGroupOffsets, DeleteShareGroupOffsets; KIP-932) see of a share
// group: per partition, the share-partition start offset and the lag
// (KIP-1226), and the results of changing them. The ShareCoordinator answers
// them from the state it owns; this module holds their shapes and the lag.

import { DeliveryState } from './in-flight-records.js';
import type { SharePartitionSnapshot } from './share-partition.js';

/** The start offset Kafka reports for a partition without state ("uninitialized"). */
export const UNINITIALIZED_START_OFFSET = -1;

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface SharePartitionOffset {
  partition: number;
  /** -1: the group has no state for the partition. */
  startOffset: number;
  leaderEpoch: number;
  /** Records below the high watermark not yet acknowledged or archived; -1 without state. */
  lag: number;
}

export interface ShareTopicOffsets {
  topic: string;
  /** Hex; null for a topic that does not exist. */
  topicId: string | null;
  partitions: SharePartitionOffset[];
}

export interface ShareOffsetError {
  errorCode: number;
  errorMessage: string | null;
}

export interface AlterShareOffsetsResult extends ShareOffsetError {
  topics: { topic: string; topicId: string | null; partitions: ({ partition: number } & ShareOffsetError)[] }[];
}

export interface DeleteShareOffsetsResult extends ShareOffsetError {
  topics: ({ topic: string; topicId: string | null } & ShareOffsetError)[];
}

/**
 * KIP-1226's lag of a share-partition: the records from its start offset (or
 * the log start, when retention passed it) up to the high watermark, less
 * those already acknowledged or archived.
 */
export function shareLag(state: SharePartitionSnapshot, logStartOffset: number, highWatermark: number): number {
  const from = Math.max(state.startOffset, logStartOffset);
  if (highWatermark <= from) return 0;
  let settled = 0;
  for (const b of state.stateBatches) {
    if (b.deliveryState !== DeliveryState.Acknowledged && b.deliveryState !== DeliveryState.Archived) continue;
    const first = Math.max(b.firstOffset, from);
    const last = Math.min(b.lastOffset, highWatermark - 1);
    if (last >= first) settled += last - first + 1;
  }
  return highWatermark - from - settled;
}
