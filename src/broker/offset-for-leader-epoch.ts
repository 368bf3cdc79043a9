// OffsetForLeaderEpoch (KIP-101, KIP-279): where leader epoch `epoch` ends in
// this leader's log: the latest epoch at the log end, an older one where the
// next newer epoch starts, answered with the largest epoch known not above
// the one asked (PartitionLog.endOffsetForEpoch). A follower truncates its
// divergent tail to that offset; a consumer (librdkafka after a leader
// change) checks its position against it. Only the leader answers, checked
// against the requester's leader epoch (KIP-320).

import { ErrorCode } from '../protocol/error-codes.js';
import type { Broker } from './broker.js';
import { leaderError } from './leader-check.js';

export interface EpochEndOffset {
  errorCode: number;
  leaderEpoch: number;
  endOffset: number;
}

export function epochEndOffset(broker: Broker, topic: string, index: number, currentLeaderEpoch: number, epoch: number): EpochEndOffset {
  const p = broker.partition(topic, index);
  const errorCode = p ? leaderError(p, currentLeaderEpoch) : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (!p || errorCode !== ErrorCode.NONE) return { errorCode, leaderEpoch: -1, endOffset: -1 };
  if (p.offline) return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, leaderEpoch: -1, endOffset: -1 };
  const found = p.log.endOffsetForEpoch(epoch);
  return { errorCode: ErrorCode.NONE, leaderEpoch: found.epoch, endOffset: found.endOffset };
}
