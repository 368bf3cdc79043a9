// DescribeShareGroupOffsets v0-1 (KIP-932; v1 adds Lag, KIP-1226): each
// partition's share-partition start offset, -1 where the group has no state.
// Topics null: every partition the group has state for. As in Kafka, a group
// without state is no error: its partitions answer -1.

import { DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse } from '../../protocol/messages/describe-share-group-offsets.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DESCRIBE, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';
import { topicIdBytes } from './share-offset-fields.js';

export const describeShareGroupOffsets: ApiHandler = {
  apiKey: 90,
  minVersion: 0,
  maxVersion: 1,
  request: DescribeShareGroupOffsetsRequest,
  response: DescribeShareGroupOffsetsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g: Message) => {
        if (!mayOnGroup(ctx, DESCRIBE, g.groupId)) return { groupId: g.groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'not allowed to describe this group', topics: [] };
        const topics = g.topics === null ? null : (g.topics as Message[]).map((t) => ({ topic: t.topicName, partitions: t.partitions }));
        return {
          groupId: g.groupId,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          topics: ctx.shares.describeOffsets(g.groupId, topics).map((t) => ({
            topicName: t.topic,
            topicId: topicIdBytes(t.topicId),
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, startOffset: p.startOffset, leaderEpoch: p.leaderEpoch, lag: p.lag, errorCode: ErrorCode.NONE, errorMessage: null })),
          })),
        };
      }),
    };
  },
};
