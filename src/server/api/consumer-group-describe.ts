// ConsumerGroupDescribe v0-1 (KIP-848; flexible): epochs, the server assignor,
// and each member's subscription, assignment and target assignment. An
// unknown or classic group gets GROUP_ID_NOT_FOUND, as Kafka. v1 adds each
// member's type (KIP-1099): 0 for classic members, 1 for consumer-protocol ones.
// Authorized operations are not computed (no ACLs yet): the "not provided" value.

import { ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse } from '../../protocol/messages/consumer-group-describe.js';
import type { NamedPartitions } from '../../coordinator/group/consumer/consumer-group.js';
import { AclResourceType } from '../../broker/acl/acl-binding.js';
import { DESCRIBE, mayOnGroup, operationsField, refusedGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';

const CLASSIC_MEMBER_TYPE = 0;
const CONSUMER_MEMBER_TYPE = 1;

function assignment(partitions: NamedPartitions[]) {
  return { topicPartitions: partitions.map((t) => ({ topicId: Buffer.from(t.topicId, 'hex'), topicName: t.topicName, partitions: t.partitions })) };
}

export const consumerGroupDescribe: ApiHandler = {
  apiKey: 69,
  minVersion: 0,
  maxVersion: 1,
  request: ConsumerGroupDescribeRequest,
  response: ConsumerGroupDescribeResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groupIds.map((groupId: string) => {
        const authorizedOperations = operationsField(ctx, req.includeAuthorizedOperations, AclResourceType.GROUP, groupId);
        if (!mayOnGroup(ctx, DESCRIBE, groupId)) return { ...refusedGroup(groupId), authorizedOperations };
        const d = ctx.groups.describeConsumerGroup(groupId);
        return {
          authorizedOperations,
          errorCode: d.errorCode,
          errorMessage: d.errorMessage,
          groupId,
          groupState: d.state,
          groupEpoch: d.groupEpoch,
          assignmentEpoch: d.assignmentEpoch,
          assignorName: d.assignorName,
          members: d.members.map((m) => ({
            ...m,
            assignment: assignment(m.assignment),
            targetAssignment: assignment(m.targetAssignment),
            memberType: m.classicMetadata === null ? CONSUMER_MEMBER_TYPE : CLASSIC_MEMBER_TYPE,
          })),
        };
      }),
    };
  },
};
