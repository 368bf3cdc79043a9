// LeaveGroup v0-4 (v4+ flexible). v0-2 name one member and carry its error
// as the response's; v3+ name a list, static members possibly by instance id
// alone (KIP-345). A member that leaves triggers a rebalance at once.

import { ErrorCode } from '../../protocol/error-codes.js';
import { LeaveGroupRequest, LeaveGroupResponse } from '../../protocol/messages/leave-group.js';
import type { Message } from '../../protocol/codec.js';
import { READ, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const leaveGroup: ApiHandler = {
  apiKey: 13,
  minVersion: 0,
  maxVersion: 4,
  request: LeaveGroupRequest,
  response: LeaveGroupResponse,
  handle(req, ctx) {
    if (!mayOnGroup(ctx, READ, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    const leaving =
      ctx.apiVersion >= 3
        ? req.members.map((m: Message) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null }))
        : [{ memberId: req.memberId, groupInstanceId: null }];
    const result = ctx.groups.leave(req.groupId, leaving);
    let errorCode = result.errorCode;
    if (ctx.apiVersion < 3 && errorCode === ErrorCode.NONE) errorCode = result.members[0]?.errorCode ?? ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode, members: result.members };
  },
};
