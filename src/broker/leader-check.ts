// Whether a replica may serve a request meant for its partition's leader.
// Requests that carry the leader epoch the client knows (Fetch v9+,
// ListOffsets v4+, OffsetForLeaderEpoch v2+: KIP-320) are checked against it
// first, as Kafka does: an older epoch is fenced (the client missed a
// leadership change), a newer one is not known here yet (this replica missed
// it); -1 skips the check. Then only the leader serves.

import { ErrorCode } from '../protocol/error-codes.js';
import type { Partition } from './partition.js';

export function leaderError(p: Partition, currentLeaderEpoch = -1): number {
  if (currentLeaderEpoch !== -1) {
    if (currentLeaderEpoch < p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (currentLeaderEpoch > p.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  }
  return p.isLeader ? ErrorCode.NONE : ErrorCode.NOT_LEADER_OR_FOLLOWER;
}
