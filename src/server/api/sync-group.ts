// SyncGroup v0-4 (v4+ flexible). The leader's request carries every member's
// assignment; each member's response waits for it, then gets its own. (v5's
// protocol type and name echo is not served.)

import { ErrorCode } from '../../protocol/error-codes.js';
import { SyncGroupRequest, SyncGroupResponse } from '../../protocol/messages/sync-group.js';
import type { Message } from '../../protocol/codec.js';
import { READ, mayOnGroup } from './authorize.js';
import type { ApiHandler } from './handler.js';

const EMPTY = Buffer.alloc(0);

export const syncGroup: ApiHandler = {
  apiKey: 14,
  minVersion: 0,
  maxVersion: 4,
  request: SyncGroupRequest,
  response: SyncGroupResponse,
  async handle(req, ctx) {
    if (!mayOnGroup(ctx, READ, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, assignment: EMPTY };
    const result = await ctx.groups.sync(req.groupId, {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId ?? null,
      generationId: req.generationId,
      assignments: new Map(req.assignments.map((a: Message) => [a.memberId, a.assignment ?? EMPTY])),
    });
    return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
  },
};
