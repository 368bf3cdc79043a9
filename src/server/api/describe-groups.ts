// DescribeGroups v0-5 (v5+ flexible). Member metadata and assignments are
// filled in while the group is Stable, as Kafka does; an unknown group is
// described as Dead with no members. Authorized operations (v3+, KIP-430)
// are filled in when asked. A group this broker does not coordinate answers
// NOT_COORDINATOR (or COORDINATOR_LOAD_IN_PROGRESS).

import { AclResourceType } from '../../broker/acl/acl-binding.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from '../../protocol/messages/describe-groups.js';
import { DESCRIBE, mayOnGroup, operationsField } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const describeGroups: ApiHandler = {
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  request: DescribeGroupsRequest,
  response: DescribeGroupsResponse,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId: string) => {
        const errorCode = mayOnGroup(ctx, DESCRIBE, groupId) ? ctx.groups.coordinatorError(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED;
        const authorizedOperations = operationsField(ctx, req.includeAuthorizedOperations, AclResourceType.GROUP, groupId);
        if (errorCode !== ErrorCode.NONE) return { errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations };
        const d = ctx.groups.describeGroup(groupId);
        return {
          errorCode: ErrorCode.NONE,
          groupId,
          groupState: d.state,
          protocolType: d.protocolType,
          protocolData: d.protocolName,
          members: d.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations,
        };
      }),
    };
  },
};
