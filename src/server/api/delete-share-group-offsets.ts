// DeleteShareGroupOffsets v0 (KIP-932): forgets an empty share group's state
// for whole topics (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND for an id
// that is no share group); a topic that does not exist, or that the group has
// no state for, answers UNKNOWN_TOPIC_OR_PARTITION.

import { DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse } from '../../protocol/messages/delete-share-group-offsets.js';
import type { Message } from '../../protocol/codec.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DELETE, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';
import { topicIdBytes } from './share-offset-fields.js';

export const deleteShareGroupOffsets: ApiHandler = {
  apiKey: 92,
  minVersion: 0,
  maxVersion: 0,
  request: DeleteShareGroupOffsetsRequest,
  response: DeleteShareGroupOffsetsResponse,
  async handle(req, ctx) {
    if (!mayOnGroup(ctx, DELETE, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'not allowed to delete from this group', responses: [] };
    const result = await ctx.shares.deleteOffsets(req.groupId, (req.topics as Message[]).map((t) => t.topicName));
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      errorMessage: result.errorMessage,
      responses: result.topics.map((t) => ({ topicName: t.topic, topicId: topicIdBytes(t.topicId), errorCode: t.errorCode, errorMessage: t.errorMessage })),
    };
  },
};
