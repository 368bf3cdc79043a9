// DeleteRecords: moves a partition's log start offset forward, to at most the
// high watermark (-1 means the high watermark), as in Kafka. Read-your-writes:
// an offset past the high watermark, or -1, first waits for the log end as it
// is now to be committed (the fsync covering it), so records acknowledged with
// acks=1 can be deleted up to at once. Internal topics are refused with
// INVALID_TOPIC_EXCEPTION, as Kafka refuses them: their records are the
// coordinators' state. Only the leader moves the log start; followers follow
// it as their fetches report it (replication/leader-fetcher.ts).

import { ErrorCode } from '../protocol/error-codes.js';
import type { Broker } from './broker.js';
import { isInternalTopic } from './topic-name.js';

const HIGH_WATERMARK = -1;

export async function deleteRecordsBefore(broker: Broker, topic: string, index: number, offset: number): Promise<{ errorCode: number; lowWatermark: number }> {
  if (isInternalTopic(topic)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, lowWatermark: -1 };
  const waitFor = broker.partition(topic, index);
  if (waitFor && !waitFor.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, lowWatermark: -1 };
  if (waitFor && (offset === HIGH_WATERMARK || offset > waitFor.highWatermark)) await waitFor.awaitLogEnd();
  // Looked up again: the topic may have gone while the flush ran.
  const p = broker.partition(topic, index);
  if (!p) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 };
  if (!p.isLeader) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, lowWatermark: -1 };
  const target = offset === HIGH_WATERMARK ? p.highWatermark : offset;
  if (target < 0 || target > p.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 };
  if (target > p.logStartOffset) p.log.advanceLogStart(target);
  return { errorCode: ErrorCode.NONE, lowWatermark: p.logStartOffset };
}
