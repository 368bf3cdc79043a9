// AlterShareGroupOffsets v0 (KIP-932): sets the start offset of partitions of
// an empty share group (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND for an
// id that is no share group); unknown topics and partitions answer
// UNKNOWN_TOPIC_OR_PARTITION each.

import { AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse } from '../../protocol/messages/alter-share-group-offsets.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { READ, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';
import { topicIdBytes } from './share-offset-fields.js';

export const alterShareGroupOffsets: ApiHandler = {
  apiKey: 91,
  minVersion: 0,
  maxVersion: 0,
  request: AlterShareGroupOffsetsRequest,
  response: AlterShareGroupOffsetsResponse,
  async handle(req, ctx) {
    if (!mayOnGroup(ctx, READ, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'not allowed to alter this group', responses: [] };
    const topics = (req.topics as Message[]).map((t) => ({
      topic: t.topicName,
      partitions: (t.partitions as Message[]).map((p) => ({ partition: p.partitionIndex, startOffset: Number(p.startOffset) })),
    }));
    const result = await ctx.shares.alterOffsets(req.groupId, topics);
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      errorMessage: result.errorMessage,
      responses: result.topics.map((t) => ({
        topicName: t.topic,
        topicId: topicIdBytes(t.topicId),
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode, errorMessage: p.errorMessage })),
      })),
    };
  },
};
