// Heartbeat v0-4 (v4+ flexible). Keeps a member's session alive;
// REBALANCE_IN_PROGRESS tells it to rejoin, ILLEGAL_GENERATION and
// UNKNOWN_MEMBER_ID that it is no longer part of the current generation.

import { ErrorCode } from '../../protocol/error-codes.js';
import { HeartbeatRequest, HeartbeatResponse } from '../../protocol/messages/heartbeat.js';
import { READ, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';

export const heartbeat: ApiHandler = {
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  request: HeartbeatRequest,
  response: HeartbeatResponse,
  handle(req, ctx) {
    const errorCode = mayOnGroup(ctx, READ, req.groupId)
      ? ctx.groups.heartbeat(req.groupId, req.memberId, req.groupInstanceId ?? null, req.generationId)
      : ErrorCode.GROUP_AUTHORIZATION_FAILED;
    return { throttleTimeMs: 0, errorCode };
  },
};
