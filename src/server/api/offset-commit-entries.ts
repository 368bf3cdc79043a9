// The shape OffsetCommit and TxnOffsetCommit share: topics of partitions with
// an offset, leader epoch and metadata in, one error code per partition out.

import type { OffsetCommitEntry } from '../../coordinator/group/group-coordinator.js';
import type { Message } from '../../protocol/codec.js';

/** Flattens a request's topics into entries, in request order. */
export function offsetCommitEntries(topics: Message[], commitTimestamp: (p: Message) => number): OffsetCommitEntry[] {
  return topics.flatMap((t: Message) =>
    t.partitions.map((p: Message) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch,
      metadata: p.committedMetadata,
      commitTimestamp: commitTimestamp(p),
    })),
  );
}

/** The response topics, with `errors` (in request order) mapped onto the partitions. */
export function perPartitionErrors(topics: Message[], errors: number[]): Message[] {
  let i = 0;
  return topics.map((t: Message) => ({
    name: t.name,
    partitions: t.partitions.map((p: Message) => ({ partitionIndex: p.partitionIndex, errorCode: errors[i++] })),
  }));
}
