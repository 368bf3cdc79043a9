// ShareGroupDescribe v1 (KIP-932; flexible): the group's epochs and each
// member's subscription and assignment. A group that is not a share group here
// gets GROUP_ID_NOT_FOUND. Authorized operations are not computed (no ACLs
// yet): the "not provided" value.

import { ShareGroupDescribeRequest, ShareGroupDescribeResponse } from '../../protocol/messages/share-group-describe.js';
import { AclResourceType } from '../../broker/acl/acl-binding.js';
import { DESCRIBE, mayOnGroup, operationsField, refusedGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';

const SHARE_ASSIGNOR = 'simple';

export const shareGroupDescribe: ApiHandler = {
  apiKey: 77,
  minVersion: 1,
  maxVersion: 1,
  request: ShareGroupDescribeRequest,
  response: ShareGroupDescribeResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groupIds.map((groupId: string) => {
        const authorizedOperations = operationsField(ctx, req.includeAuthorizedOperations, AclResourceType.GROUP, groupId);
        if (!mayOnGroup(ctx, DESCRIBE, groupId)) return { ...refusedGroup(groupId), authorizedOperations };
        const { errorCode, errorMessage, group, topicName } = ctx.shares.describe(groupId);
        if (group === null) return { errorCode, errorMessage, groupId, groupState: 'Dead', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] };
        return {
          authorizedOperations,
          errorCode,
          errorMessage,
          groupId,
          groupState: group.state,
          groupEpoch: group.groupEpoch,
          assignmentEpoch: group.assignmentEpoch,
          assignorName: SHARE_ASSIGNOR,
          members: [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            rackId: m.rackId,
            memberEpoch: m.memberEpoch,
            clientId: m.clientId,
            clientHost: m.clientHost,
            subscribedTopicNames: m.subscribedTopicNames,
            assignment: {
              topicPartitions: [...m.assignment].map(([topicId, partitions]) => ({ topicId: Buffer.from(topicId, 'hex'), topicName: topicName(topicId), partitions })),
            },
          })),
        };
      }),
    };
  },
};
