// ListOffsets v1-7 (v6+ flexible): earliest, latest, max timestamp (v7,
// KIP-734) and by time. v0's multi-offset shape is not served. Latest with
// isolation_level 1 (v2+) answers the last stable offset.

import { listOffset } from '../../broker/list-offsets.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/list-offsets.js';
import type { Message } from '../../protocol/codec.js';
import type { ApiHandler } from './handler.js';

export const listOffsets: ApiHandler = {
  apiKey: 2,
  minVersion: 1,
  maxVersion: 7,
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  handle(req, ctx) {
    const topics = req.topics.map((t: Message) => ({
      name: t.name,
      partitions: t.partitions.map((p: Message) => {
        const partition = ctx.broker.partition(t.name, p.partitionIndex);
        if (!partition) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1, leaderEpoch: -1 };
        return { partitionIndex: p.partitionIndex, ...listOffset(partition, p.timestamp, req.isolationLevel === 1), leaderEpoch: partition.leaderEpoch };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
};
