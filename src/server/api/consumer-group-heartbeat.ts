// ConsumerGroupHeartbeat v0-1 (KIP-848; flexible). The member joins (epoch 0),
// heartbeats with its epoch and the partitions it owns, and leaves (epoch -1,
// or -2 for a static member coming back); the coordinator answers with the
// member's epoch, its assignment when it changed, and the heartbeat interval.
// v1 adds the subscribed topic regex; from v1 the member generates its id (KIP-1082).
// Topic ids are the wire's UUIDs; the coordinator keeps them as hex strings.

import { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../protocol/messages/consumer-group-heartbeat.js';
import type { Message } from '../../protocol/codec.js';
import { fromList } from '../../coordinator/group/consumer/partition-set.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { heartbeatError } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const consumerGroupHeartbeat: ApiHandler = {
  apiKey: 68,
  minVersion: 0,
  maxVersion: 1,
  request: ConsumerGroupHeartbeatRequest,
  response: ConsumerGroupHeartbeatResponse,
  handle(req, ctx) {
    const refused = heartbeatError(ctx, req.groupId, req.subscribedTopicNames ?? null);
    if (refused !== ErrorCode.NONE) {
      return { throttleTimeMs: 0, errorCode: refused, errorMessage: 'not allowed to join this group or to describe its topics', memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
    }
    const owned = req.topicPartitions as Message[] | null;
    const result = ctx.groups.consumerGroupHeartbeat(
      req.groupId,
      {
        memberId: req.memberId,
        memberEpoch: req.memberEpoch,
        instanceId: req.instanceId ?? null,
        rackId: req.rackId ?? null,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        subscribedTopicNames: req.subscribedTopicNames ?? null,
        subscribedTopicRegex: req.subscribedTopicRegex ?? null,
        serverAssignor: req.serverAssignor ?? null,
        ownedPartitions: owned === null ? null : fromList(owned.map((t) => ({ topicId: (t.topicId as Buffer).toString('hex'), partitions: t.partitions }))),
        clientId: ctx.clientId ?? '',
        clientHost: ctx.clientHost,
      },
      ctx.apiVersion,
    );
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
          : { topicPartitions: result.assignment.map((t) => ({ topicId: Buffer.from(t.topicId, 'hex'), partitions: t.partitions })) },
    };
  },
};
