// ShareGroupHeartbeat v1 (KIP-932; flexible). A share-group member joins
// (epoch 0), heartbeats with its epoch, and leaves (epoch -1); the answer
// carries its epoch, its assignment when new, and the heartbeat interval.
// Topic ids are the wire's UUIDs; the coordinator keeps them as hex strings.

import { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from '../../protocol/messages/share-group-heartbeat.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { heartbeatError } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const shareGroupHeartbeat: ApiHandler = {
  apiKey: 76,
  minVersion: 1,
  maxVersion: 1,
  request: ShareGroupHeartbeatRequest,
  response: ShareGroupHeartbeatResponse,
  handle(req, ctx) {
    const refused = heartbeatError(ctx, req.groupId, req.subscribedTopicNames ?? null);
    if (refused !== ErrorCode.NONE) {
      return { throttleTimeMs: 0, errorCode: refused, errorMessage: 'not allowed to join this group or to describe its topics', memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
    }
    const result = ctx.shares.heartbeat(req.groupId, {
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      rackId: req.rackId ?? null,
      subscribedTopicNames: req.subscribedTopicNames ?? null,
      clientId: ctx.clientId ?? '',
      clientHost: ctx.clientHost,
    });
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      errorMessage: result.errorMessage,
      memberId: result.memberId,
      memberEpoch: result.memberEpoch,
      heartbeatIntervalMs: result.heartbeatIntervalMs,
      assignment:
        result.assignment === null
          ? null
          : { topicPartitions: result.assignment.topicPartitions.map((t) => ({ topicId: Buffer.from(t.topicId, 'hex'), partitions: t.partitions })) },
    };
  },
};
